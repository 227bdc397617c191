"""Snippets that point the user's other programs at the local API, filled with its address,
a model and the key: shown with the key masked, copied with the real one."""

from __future__ import annotations

from string import Template

KEY_SHOWN = "cdk-••••••••"  # the key as a snippet on screen shows it
NO_KEY = "YOUR-CHATDESK-KEY"  # before the key is made (the API was never on)

_CURL = Template("""\
curl $base/v1/chat/completions \\
  -H "Authorization: Bearer $key" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "$model", "stream": true,
       "messages": [{"role": "user", "content": "Hello"}]}'
""")

_OPENAI = Template("""\
from openai import OpenAI

client = OpenAI(base_url="$base/v1", api_key="$key")
stream = client.chat.completions.create(
    model="$model",
    messages=[{"role": "user", "content": "Hello"}],
    stream=True,
)
for chunk in stream:
    if chunk.choices:
        print(chunk.choices[0].delta.content or "", end="", flush=True)
""")

_LANGCHAIN = Template("""\
from langchain_openai import ChatOpenAI

chat = ChatOpenAI(base_url="$base/v1", api_key="$key", model="$model")
print(chat.invoke("Hello").content)
""")

_LLM = Template("""\
# extra-openai-models.yaml, in llm's folder: dirname "$$(llm logs path)"
- model_id: chatdesk
  model_name: $model
  api_base: "$base/v1"
  api_key_name: chatdesk

# then, in a terminal:
llm keys set chatdesk --value "$key"
llm -m chatdesk "Hello"
""")

_CONTINUE = Template("""\
# ~/.continue/config.yaml
models:
  - name: chatdesk
    provider: openai
    model: $model
    apiBase: $base/v1
    apiKey: $key
""")

# The programs, by the name the list shows (a product's name: not translated).
SNIPPETS = {
    "curl": _CURL,
    "OpenAI Python SDK": _OPENAI,
    "LangChain": _LANGCHAIN,
    "llm": _LLM,
    "Continue.dev": _CONTINUE,
}


def snippet(client: str, base: str, model: str, key: str | None, *, shown: bool) -> str:
    """`client`'s snippet for the API at `base` (http://127.0.0.1:4315); `shown`: the key
    masked, as on screen; else the real one, as copied."""
    filled = (KEY_SHOWN if shown else key) if key else NO_KEY
    return SNIPPETS[client].substitute(base=base, model=model, key=filled)
