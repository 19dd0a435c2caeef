"""Reference app for `api_get`: the smallest FastAPI JSON route, served by granian like imghost is."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
