# The README's two commands are `make run` and `make test`; both set everything up first.
.PHONY: setup setup-test run test lint format bench asyncapi clean
# uv may have just been installed under ~/.local/bin by scripts/setup.
export PATH := $(HOME)/.local/bin:$(PATH)

setup:
	@scripts/setup

setup-test:
	@scripts/setup --test

run: setup
	uv run newsroom up

test: setup-test lint
	uv run pytest

lint:
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy

format:
	uv run ruff check --fix .
	uv run ruff format .

bench: setup
	uv run python -m bench

asyncapi:
	uv run python scripts/asyncapi.py --write

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache
