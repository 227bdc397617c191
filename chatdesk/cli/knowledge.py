"""`chatdesk kb …`: knowledge bases, the user's files and folders indexed to answer from
(`chatdesk ask --kb NAME`). Indexing runs in the command, with its progress on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import note, print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import mark, ntr, number, tr

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.knowledge.model import BaseView, Passage, Progress

# An indexing pass's stage as it is shown, by its `Stage` value.
_STAGES = {
    # translators: a stage of indexing a knowledge base: listing the folders
    "scanning": mark("scanning"),
    # translators: a stage of indexing a knowledge base: reading the files
    "reading": mark("reading"),
    # translators: a stage of indexing a knowledge base: making the vectors of passages
    "embedding": mark("embedding"),
    # translators: a stage of indexing a knowledge base
    "paused": mark("paused"),
    # translators: a stage of indexing a knowledge base: it has ended
    "done": mark("done"),
    # translators: a stage of indexing a knowledge base: it was stopped
    "cancelled": mark("cancelled"),
}


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    kb = commands.add_parser(
        "kb", parents=[common], help=tr("knowledge bases: your files, indexed to answer from")
    )
    actions = kb.add_subparsers(dest="action", metavar="ACTION")
    kb.set_defaults(handler=sync(_list))
    actions.add_parser("list", parents=[common], help=tr("every knowledge base")).set_defaults(
        handler=sync(_list)
    )
    create = actions.add_parser("create", parents=[common], help=tr("make a knowledge base"))
    create.add_argument("name")
    create.set_defaults(handler=sync(_create))
    _add_file_commands(actions, common)
    _add_index_commands(actions, common)
    _add_link_commands(actions, common)
    search = actions.add_parser("search", parents=[common], help=tr("the passages that match"))
    search.add_argument("name")
    search.add_argument("question")
    search.add_argument("--limit", type=int, default=8)
    search.set_defaults(handler=sync(_search))


def _add_file_commands(actions: Any, common: argparse.ArgumentParser) -> None:
    """add and remove: the files and folders a knowledge base holds."""
    add = actions.add_parser(
        "add", parents=[common], help=tr("add files or folders (folders with all below them)")
    )
    add.add_argument("name")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument(
        "--include", default="", metavar="PATTERNS", help=tr("only these, e.g. '*.md, docs/**'")
    )
    add.add_argument("--exclude", default="", metavar="PATTERNS", help=tr("never these"))
    add.add_argument("--no-index", action="store_true", help=tr("add them without indexing now"))
    add.set_defaults(handler=sync(_add))
    remove = actions.add_parser(
        "remove",
        parents=[common],
        help=tr("remove an added file or folder (or, without a path, the whole knowledge base)"),
    )
    remove.add_argument("name")
    remove.add_argument("paths", nargs="*", metavar="PATH")
    remove.set_defaults(handler=sync(_remove))


def _add_index_commands(actions: Any, common: argparse.ArgumentParser) -> None:
    """index, status and embed: reading the files, what was read, the model of its vectors."""
    index = actions.add_parser(
        "index", parents=[common], help=tr("read what is new or changed, and remove what is gone")
    )
    index.add_argument("name")
    index.set_defaults(handler=sync(_index))
    status = actions.add_parser(
        "status", parents=[common], help=tr("what is indexed, and every file that is not (why)")
    )
    status.add_argument("name")
    status.set_defaults(handler=sync(_status))
    embed = actions.add_parser(
        "embed",
        parents=[common],
        help=tr("choose the embedding model of its vectors ('none': keywords only)"),
    )
    embed.add_argument("name")
    embed.add_argument("model", help=tr("a model of the provider, or 'none'"))
    embed.add_argument("--provider", default="mock", help=tr("the provider (default: mock)"))
    embed.set_defaults(handler=sync(_embed))


def _add_link_commands(actions: Any, common: argparse.ArgumentParser) -> None:
    """link and unlink: which chats, projects and assistants answer from a knowledge base."""
    linked = tr("answer from it in a chat, a project or an assistant")
    unlinked = tr("stop answering from it in a chat, a project or an assistant")
    for verb, helped in (("link", linked), ("unlink", unlinked)):
        linking = actions.add_parser(verb, parents=[common], help=helped)
        linking.add_argument("name")
        owner = linking.add_mutually_exclusive_group(required=True)
        owner.add_argument("--thread", metavar="ID", help=tr("a chat (id or id prefix)"))
        owner.add_argument("--project", metavar="NAME", help=tr("every chat of a project"))
        owner.add_argument("--assistant", metavar="NAME", help=tr("every chat with an assistant"))
        linking.set_defaults(handler=sync(_link), linking=verb == "link")


async def _list(core: Core, args: argparse.Namespace) -> int:
    bases = await core.service.knowledge.list()
    if args.json:
        print_json({"knowledge_bases": [_json(b) for b in bases]})
        return 0
    if not bases:
        print(tr("no knowledge bases (chatdesk kb create NAME, then chatdesk kb add NAME FOLDER)"))
    for base in bases:
        print(f"{base.name}: {_counts(base)}")
    return 0


async def _create(core: Core, args: argparse.Namespace) -> int:
    base = await core.service.knowledge.create(args.name)
    report(args, _json(base), tr("made knowledge base {name!r}", name=base.name))
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    for path in args.paths:
        base = await knowledge.add(base.id, path, args.include, args.exclude)
    if args.no_index:
        await knowledge.cancel(base.id)
        said = tr("added to {name}; index it with chatdesk kb index", name=base.name)
        report(args, _json(base), said)
        return 0
    return await _indexed(core, args, base)


async def _remove(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    if not args.paths:
        await knowledge.delete(base.id)
        said = tr("removed knowledge base {name!r}", name=base.name)
        report(args, {"removed": base.name}, said)
        return 0
    for path in args.paths:
        base = await knowledge.remove(base.id, path)
    report(args, _json(base), f"{base.name}: {_counts(base)}")
    return 0


async def _index(core: Core, args: argparse.Namespace) -> int:
    return await _indexed(core, args, await core.service.knowledge.find(args.name))


async def _indexed(core: Core, args: argparse.Namespace, base: BaseView) -> int:
    from chatdesk.core.knowledge.model import KnowledgeProgressed

    show = not args.json and sys.stderr.isatty()

    def on_event(event: object) -> None:
        if show and isinstance(event, KnowledgeProgressed) and event.progress.base_id == base.id:
            sys.stderr.write(f"\r\x1b[K{_progress(event.progress)}"[:200])
            sys.stderr.flush()

    unsubscribe = core.service.events.subscribe(on_event)
    try:
        progress = await core.service.knowledge.index(base.id)
    finally:
        unsubscribe()
        if show:
            sys.stderr.write("\r\x1b[K")
    base = await core.service.knowledge.get(base.id)
    if args.json:
        print_json(_json(base) | {"pass": _progress_json(progress)})
    else:
        print(_progress(progress))
        print(f"{base.name}: {_counts(base)}")
        if progress.problem:
            note(progress.problem)
    return 0 if not progress.problem else 1


async def _status(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    errors = await knowledge.errors(base.id)
    if args.json:
        failed = [{"path": e.path, "error": e.error} for e in errors]
        print_json(_json(base) | {"not_indexed": failed})
        return 0
    print(f"{base.name}: {_counts(base)}")
    way = base.embedding or tr("keywords only (no embedding model)")
    print("  " + tr("answers from: {way}", way=way))
    if base.embedding_problem:
        print("  " + tr("vectors: {problem}", problem=base.embedding_problem))
    for source in base.sources:
        patterns = " ".join(
            f"{label} {value!r}"
            for label, value in (("include", source.include), ("exclude", source.exclude))
            if value
        )
        read = ntr("{n} indexed", "{n} indexed", source.documents)
        print(f"  {source.path}  ({read}{', ' if patterns else ''}{patterns})")
    for error in errors:
        print("  " + tr("not indexed: {path}: {error}", path=error.path, error=error.error))
    return 0


async def _embed(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    none = args.model.lower() == "none"
    base = await knowledge.set_embedding(
        base.id, None if none else args.provider, None if none else args.model
    )
    if none:
        report(args, _json(base), tr("{name} answers from keywords only", name=base.name))
        return 0
    return await _indexed(core, args, base)


async def _link(core: Core, args: argparse.Namespace) -> int:
    service = core.service
    base = await service.knowledge.find(args.name)
    if args.thread:
        owner, owner_id, name = "thread_id", await service.resolve_thread(args.thread), ""
        said = (
            mark("the chat answers from {base}"),
            mark("the chat no longer answers from {base}"),
        )
    elif args.project:
        wanted = " ".join(args.project.split()).casefold()
        found = [p for p in await service.list_projects() if p.name.casefold() == wanted]
        if not found:
            raise NotFound(tr("There is no project called {name!r}.", name=args.project))
        owner, owner_id, name = "project_id", found[0].id, found[0].name
        said = (
            mark("project {name!r} answers from {base}"),
            mark("project {name!r} no longer answers from {base}"),
        )
    else:
        assistant = await service.assistants.find(args.assistant)
        owner, owner_id, name = "assistant_id", assistant.id, assistant.name
        said = (
            mark("assistant {name!r} answers from {base}"),
            mark("assistant {name!r} no longer answers from {base}"),
        )
    linked = await service.knowledge.links(owner, owner_id)
    wanted_ids = [*linked, base.id] if args.linking else [b for b in linked if b != base.id]
    await service.knowledge.link(owner, owner_id, list(dict.fromkeys(wanted_ids)))
    text = tr(said[0] if args.linking else said[1], name=name, base=base.name)
    report(args, {"linked": args.linking, "base": base.name}, text)
    return 0


async def _search(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    found = await knowledge.search([base.id], args.question, limit=max(1, args.limit))
    if args.json:
        print_json({"passages": [_passage_json(p) for p in found]})
        return 0
    if not found:
        print(tr("nothing matches"))
    for place, passage in enumerate(found, start=1):
        ways = []
        if passage.keyword_rank:
            # translators: how a passage was found, and its place among those found that way
            ways.append(tr("keywords #{rank}", rank=passage.keyword_rank))
        if passage.vector_rank:
            # translators: how a passage was found, and its place among those found that way
            ways.append(tr("vectors #{rank}", rank=passage.vector_rank))
        text = " ".join(passage.text.split())
        print(f"[{place}] {passage.cited_as}  ({', '.join(ways)})")
        print(f"    {text[:300]}{'…' if len(text) > 300 else ''}")
    return 0


def _counts(base: BaseView) -> str:
    counts = [
        ntr("{n} documents", "{n} documents", base.documents),
        ntr("{n} passages", "{n} passages", base.chunks),
    ]
    if base.embedding_model:
        counts.append(ntr("{n} vectors", "{n} vectors", base.vectors))
    if base.failed:
        counts.append(ntr("{n} not indexed", "{n} not indexed", base.failed))
    return ", ".join(counts)


def _progress(progress: Progress) -> str:
    from chatdesk.core.knowledge.model import Stage

    marked = _STAGES.get(progress.stage.value)
    stage = tr(marked) if marked else progress.stage.value
    if progress.running:
        where = f" {progress.current}" if progress.current else ""
        if progress.stage is Stage.EMBEDDING:
            # translators: progress: the vectors of passages made so far, of all to make
            return tr(
                "vectors {done} of {total}",
                done=number(progress.embedded),
                total=number(progress.to_embed),
            )
        done: dict[str, Any] = {
            "stage": stage,
            "done": number(progress.done),
            "total": number(progress.total),
        }
        return tr("{stage} {done} of {total}", **done) + where
    counts = (
        ntr("{n} read", "{n} read", progress.indexed),
        ntr("{n} unchanged", "{n} unchanged", progress.unchanged),
        ntr("{n} removed", "{n} removed", progress.removed),
        ntr("{n} not indexed", "{n} not indexed", progress.failed),
    )
    return f"{stage}: {', '.join(counts)}"


def _json(base: BaseView) -> dict[str, Any]:
    return {
        "id": str(base.id),
        "name": base.name,
        "embedding_provider": base.embedding_provider,
        "embedding_model": base.embedding_model,
        "embedding_problem": base.embedding_problem,
        "documents": base.documents,
        "not_indexed": base.failed,
        "passages": base.chunks,
        "vectors": base.vectors,
        "sources": [
            {"path": s.path, "include": s.include, "exclude": s.exclude, "documents": s.documents}
            for s in base.sources
        ],
    }


def _progress_json(progress: Progress) -> dict[str, Any]:
    return {
        "stage": progress.stage.value,
        "files": progress.total,
        "read": progress.indexed,
        "unchanged": progress.unchanged,
        "removed": progress.removed,
        "not_indexed": progress.failed,
        "vectors_made": progress.embedded,
        "problem": progress.problem or None,
    }


def _passage_json(passage: Passage) -> dict[str, Any]:
    return {
        "base": passage.base,
        "path": passage.path,
        "location": passage.location,
        "text": passage.text,
        "keyword_rank": passage.keyword_rank or None,
        "vector_rank": passage.vector_rank or None,
        "score": round(passage.score, 6),
    }
