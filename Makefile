# The whole test suite: always on SQLite, and again on PostgreSQL when DANGAN_TEST_DATABASE_URL is set.
PYTHON ?= python3

.PHONY: test lint
test:
	DANGAN_DATA_DIR=$$(mktemp -d) $(PYTHON) -m pytest
	@if [ -n "$$DANGAN_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$DANGAN_TEST_DATABASE_URL)"; \
		DANGAN_DATA_DIR=$$(mktemp -d) DATABASE_URL="$$DANGAN_TEST_DATABASE_URL" $(PYTHON) -m pytest; \
	else \
		echo "PostgreSQL run skipped: set DANGAN_TEST_DATABASE_URL=postgres://USER@HOST:PORT/DB to run it too"; \
	fi

lint:
	$(PYTHON) -m ruff check dangan
