# Polis: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is a helper they call, or a longer run of its own.

DB      ?= polis.db
LISTEN  ?= 127.0.0.1:8080
BUILD   := build
ASAN    := build-asan

.PHONY: run test build build-asan deps fuzz bench bench-activities bench-library bench-community \
	bench-community-crash bench-pg soak drill format clean po

run: deps build
	@if [ ! -f "$(DB)" ]; then ./$(BUILD)/polis init --db "$(DB)" --demo; fi
	@echo "Polis at http://$(LISTEN)/  (stop with Ctrl-C)"
	./$(BUILD)/polis serve --db "$(DB)" --listen "$(LISTEN)"

test:
	@scripts/deps.sh test
	@scripts/test.sh

deps:
	@scripts/deps.sh run

build:
	@[ -d $(BUILD) ] || meson setup $(BUILD) --buildtype=release >/dev/null
	@ninja -C $(BUILD) >/dev/null

build-asan:
	@[ -d $(ASAN) ] || meson setup $(ASAN) -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debug >/dev/null
	@ninja -C $(ASAN) >/dev/null

fuzz:
	@scripts/deps.sh test
	@scripts/fuzz.sh $${FUZZ_SECONDS:-300}

bench:
	@scripts/deps.sh bench
	@bench/run.sh

# The activities registry at N activities (default 1,000,000; about half an hour):
# `make bench-activities N=100000` for a quick run.
bench-activities:
	@scripts/deps.sh bench
	@N=$(if $(N),$(N),1000000) bench/activities.sh

# The library's search at N documents of about 3 KB (default 100,000; about a quarter of an
# hour): `make bench-library N=10000` for a quick run.
bench-library:
	@scripts/deps.sh bench
	@N=$(if $(N),$(N),100000) bench/library.sh

# Community policing: concerns submitted through the API (durable, audited) and status by
# tracking code, next to plain SQLite in the same run (about three minutes); the crash test
# kills the server with SIGKILL under that load and checks every acknowledged concern.
bench-community:
	@scripts/deps.sh bench
	@bench/community.sh

bench-community-crash:
	@scripts/deps.sh bench
	@bench/community.sh crash

drill: build
	@scripts/deps.sh pg
	@scripts/drill.sh $(BUILD)/polis

# PostgreSQL next to SQLite: the same reads and writes on SQLite, on PostgreSQL with one
# server and with two servers sharing the database (about ten minutes; N activities, 5,000).
bench-pg:
	@scripts/deps.sh bench
	@$(if $(N),N=$(N) )bench/pg.sh

soak:
	@scripts/deps.sh test
	@scripts/soak.sh $${SOAK_SECONDS:-600}

po:
	xgettext --from-code=UTF-8 --keyword=T:2 --keyword=N_ -o po/polis.pot $$(git ls-files 'src/*.c')
	msgmerge --quiet --update --backup=none po/ru.po po/polis.pot

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'tools/*.c')

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
