"""`chatdesk kb …`: knowledge bases, the user's files and folders indexed to answer from
(`chatdesk ask --kb NAME`). Indexing runs in the command, with its progress on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import note, print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.errors import NotFound

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.knowledge.model import BaseView, Passage, Progress


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    kb = commands.add_parser(
        "kb", parents=[common], help="knowledge bases: your files, indexed to answer from"
    )
    actions = kb.add_subparsers(dest="action", metavar="ACTION")
    kb.set_defaults(handler=sync(_list))
    actions.add_parser("list", parents=[common], help="every knowledge base").set_defaults(
        handler=sync(_list)
    )
    create = actions.add_parser("create", parents=[common], help="make a knowledge base")
    create.add_argument("name")
    create.set_defaults(handler=sync(_create))
    add = actions.add_parser(
        "add", parents=[common], help="add files or folders (folders with all below them)"
    )
    add.add_argument("name")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument(
        "--include", default="", metavar="PATTERNS", help="only these, e.g. '*.md, docs/**'"
    )
    add.add_argument("--exclude", default="", metavar="PATTERNS", help="never these")
    add.add_argument("--no-index", action="store_true", help="add them without indexing now")
    add.set_defaults(handler=sync(_add))
    remove = actions.add_parser(
        "remove", parents=[common], help="remove an added file or folder (or, without a "
        "path, the whole knowledge base)",
    )  # fmt: skip
    remove.add_argument("name")
    remove.add_argument("paths", nargs="*", metavar="PATH")
    remove.set_defaults(handler=sync(_remove))
    index = actions.add_parser(
        "index", parents=[common], help="read what is new or changed, and remove what is gone"
    )
    index.add_argument("name")
    index.set_defaults(handler=sync(_index))
    status = actions.add_parser(
        "status", parents=[common], help="what is indexed, and every file that is not (why)"
    )
    status.add_argument("name")
    status.set_defaults(handler=sync(_status))
    embed = actions.add_parser(
        "embed", parents=[common], help="choose the embedding model of its vectors ('none': "
        "keywords only)",
    )  # fmt: skip
    embed.add_argument("name")
    embed.add_argument("model", help="a model of the provider, or 'none'")
    embed.add_argument("--provider", default="mock", help="the provider (default: mock)")
    embed.set_defaults(handler=sync(_embed))
    for verb, helped in (("link", "answer from it in"), ("unlink", "stop answering from it in")):
        linking = actions.add_parser(verb, parents=[common], help=f"{helped} a chat, a project "
                                     "or an assistant")  # fmt: skip
        linking.add_argument("name")
        owner = linking.add_mutually_exclusive_group(required=True)
        owner.add_argument("--thread", metavar="ID", help="a chat (id or id prefix)")
        owner.add_argument("--project", metavar="NAME", help="every chat of a project")
        owner.add_argument("--assistant", metavar="NAME", help="every chat with an assistant")
        linking.set_defaults(handler=sync(_link), linking=verb == "link")
    search = actions.add_parser("search", parents=[common], help="the passages that match")
    search.add_argument("name")
    search.add_argument("question")
    search.add_argument("--limit", type=int, default=8)
    search.set_defaults(handler=sync(_search))


async def _list(core: Core, args: argparse.Namespace) -> int:
    bases = await core.service.knowledge.list()
    if args.json:
        print_json({"knowledge_bases": [_json(b) for b in bases]})
        return 0
    if not bases:
        print("no knowledge bases (chatdesk kb create NAME, then chatdesk kb add NAME FOLDER)")
    for base in bases:
        print(f"{base.name}: {_counts(base)}")
    return 0


async def _create(core: Core, args: argparse.Namespace) -> int:
    base = await core.service.knowledge.create(args.name)
    report(args, _json(base), f"made knowledge base {base.name!r}")
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    for path in args.paths:
        base = await knowledge.add(base.id, path, args.include, args.exclude)
    if args.no_index:
        await knowledge.cancel(base.id)
        report(args, _json(base), f"added to {base.name}; index it with chatdesk kb index")
        return 0
    return await _indexed(core, args, base)


async def _remove(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    if not args.paths:
        await knowledge.delete(base.id)
        report(args, {"removed": base.name}, f"removed knowledge base {base.name!r}")
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
    print(f"  answers from: {base.embedding or 'keywords only (no embedding model)'}")
    if base.embedding_problem:
        print(f"  vectors: {base.embedding_problem}")
    for source in base.sources:
        patterns = " ".join(
            f"{label} {value!r}"
            for label, value in (("include", source.include), ("exclude", source.exclude))
            if value
        )
        print(f"  {source.path}  ({source.documents} indexed{', ' if patterns else ''}{patterns})")
    for error in errors:
        print(f"  not indexed: {error.path}: {error.error}")
    return 0


async def _embed(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    none = args.model.lower() == "none"
    base = await knowledge.set_embedding(
        base.id, None if none else args.provider, None if none else args.model
    )
    if none:
        report(args, _json(base), f"{base.name} answers from keywords only")
        return 0
    return await _indexed(core, args, base)


async def _link(core: Core, args: argparse.Namespace) -> int:
    service = core.service
    base = await service.knowledge.find(args.name)
    if args.thread:
        owner, owner_id, said = "thread_id", await service.resolve_thread(args.thread), "the chat"
    elif args.project:
        wanted = " ".join(args.project.split()).casefold()
        found = [p for p in await service.list_projects() if p.name.casefold() == wanted]
        if not found:
            raise NotFound(f"There is no project called {args.project!r}.")
        owner, owner_id, said = "project_id", found[0].id, f"project {found[0].name!r}"
    else:
        assistant = await service.assistants.find(args.assistant)
        owner, owner_id, said = "assistant_id", assistant.id, f"assistant {assistant.name!r}"
    linked = await service.knowledge.links(owner, owner_id)
    wanted_ids = [*linked, base.id] if args.linking else [b for b in linked if b != base.id]
    await service.knowledge.link(owner, owner_id, list(dict.fromkeys(wanted_ids)))
    verb = "answers from" if args.linking else "no longer answers from"
    report(args, {"linked": args.linking, "base": base.name}, f"{said} {verb} {base.name}")
    return 0


async def _search(core: Core, args: argparse.Namespace) -> int:
    knowledge = core.service.knowledge
    base = await knowledge.find(args.name)
    found = await knowledge.search([base.id], args.question, limit=max(1, args.limit))
    if args.json:
        print_json({"passages": [_passage_json(p) for p in found]})
        return 0
    if not found:
        print("nothing matches")
    for number, passage in enumerate(found, start=1):
        ways = ", ".join(
            f"{way} #{rank}"
            for way, rank in (("keywords", passage.keyword_rank), ("vectors", passage.vector_rank))
            if rank
        )
        text = " ".join(passage.text.split())
        print(f"[{number}] {passage.cited_as}  ({ways})")
        print(f"    {text[:300]}{'…' if len(text) > 300 else ''}")
    return 0


def _counts(base: BaseView) -> str:
    failed = f", {base.failed} not indexed" if base.failed else ""
    vectors = f", {base.vectors:,} vectors" if base.embedding_model else ""
    return f"{base.documents:,} documents, {base.chunks:,} passages{vectors}{failed}"


def _progress(progress: Progress) -> str:
    from chatdesk.core.knowledge.model import Stage

    if progress.running:
        where = f" {progress.current}" if progress.current else ""
        if progress.stage is Stage.EMBEDDING:
            return f"vectors {progress.embedded:,} of {progress.to_embed:,}"
        return f"{progress.stage.value} {progress.done:,} of {progress.total:,}{where}"
    return (
        f"{progress.stage.value}: {progress.indexed:,} read, {progress.unchanged:,} unchanged, "
        f"{progress.removed:,} removed, {progress.failed:,} not indexed"
    )


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
