# ClusterMap's front door: the same targets run locally and in CI (.ci/run calls `make test`).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PORT ?= 5080
CONFIG ?= Release
DOTNET ?= dotnet

.PHONY: help run run-postgis test bless bench loadtest format clean geodata client screenshots

help: ## List the targets
	@echo "ClusterMap — make targets (variables: PORT=$(PORT), CONFIG=$(CONFIG))"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

run: ## Restore, build and start the service on http://127.0.0.1:$(PORT) (first start builds .data/clustermap.db from geodata/)
	$(DOTNET) run --project src/ClusterMap.Api -c $(CONFIG) --no-launch-profile -- --urls http://127.0.0.1:$(PORT)

run-postgis: ## Start a throwaway local PostGIS (deleted on exit), fill it with the shipped geodata and serve it on http://127.0.0.1:$(PORT)
	@bash .ci/with-postgis.sh bash -c 'Storage__Provider=PostGis ConnectionStrings__ClusterMap="$$CLUSTERMAP_POSTGRES" $(DOTNET) run --project src/ClusterMap.Api -c $(CONFIG) --no-launch-profile -- --urls http://127.0.0.1:$(PORT)'

test: ## Install test prerequisites, build, run every test project, check formatting; ends with "N passed, N failed"
	@bash .ci/test.sh $(CONFIG)

bless: ## Rewrite the golden reference images (tests/ClusterMap.Rendering.Tests/Golden) and the map images in docs/maps.md from the current renderer; review the diff
	CLUSTERMAP_BLESS=1 $(DOTNET) test tests/ClusterMap.Rendering.Tests -c $(CONFIG) --nologo
	bash tests/ClusterMap.Rendering.Tests/ReadmeImages/render.sh $(CONFIG)

bench: ## Proximity (10k/100k/1M: in process, HTTP, PostGIS), the PostGIS scale run (1M + 200k behind 1 and 2 replicas) and its maps (maps-scale), then tiles and static maps; QUICK=1 for a smoke run, BENCH_ARGS=… for more options
	@bash tests/ClusterMap.Benchmarks/bench.sh $(if $(QUICK),--quick) $(BENCH_ARGS)
	$(DOTNET) run --project tests/ClusterMap.Benchmarks -c Release --no-build -- tiles

loadtest: ## wrk on loopback against items, proximity, tiles and static maps: 64 connections, 3 rounds of 30 s; LOADTEST_ARGS=… for options (see tests/ClusterMap.Benchmarks/loadtest.sh)
	@bash tests/ClusterMap.Benchmarks/loadtest.sh $(LOADTEST_ARGS)

# The tests' variable, so that a checkout elsewhere (a git worktree) names the sources once for both.
GEODATA_SOURCES ?= $(or $(CLUSTERMAP_GEODATA_SOURCES),../shared/geodata-sources)

geodata: ## Rebuild geodata/ from ../shared/geodata-sources or $CLUSTERMAP_GEODATA_SOURCES (byte-identical on a rerun; see geodata/README.md)
	npm ci --prefix geodata/src/basemap --no-audit --no-fund
	$(DOTNET) run --project src/ClusterMap.Cli -c $(CONFIG) -- geodata build --sources $(GEODATA_SOURCES) --out geodata --basemap-source geodata/src/basemap/node_modules

client: ## Re-copy Leaflet and Chart.js from the versions pinned in src/ClusterMap.Api/npm/package-lock.json (npm ci) into wwwroot/vendor/
	npm ci --prefix src/ClusterMap.Api/npm --no-audit --no-fund
	rm -rf src/ClusterMap.Api/wwwroot/vendor/leaflet src/ClusterMap.Api/wwwroot/vendor/chartjs
	mkdir -p src/ClusterMap.Api/wwwroot/vendor/leaflet src/ClusterMap.Api/wwwroot/vendor/chartjs
	cp -r src/ClusterMap.Api/npm/node_modules/leaflet/dist/{leaflet.js,leaflet.css,images} src/ClusterMap.Api/npm/node_modules/leaflet/LICENSE src/ClusterMap.Api/wwwroot/vendor/leaflet/
	cp src/ClusterMap.Api/npm/node_modules/chart.js/dist/chart.umd.min.js src/ClusterMap.Api/npm/node_modules/chart.js/LICENSE.md src/ClusterMap.Api/wwwroot/vendor/chartjs/

screenshots: ## Regenerate the screenshots of the README and docs/client.md (tests/ClusterMap.Browser.Tests/Screenshots) by running the browser tests
	CLUSTERMAP_SCREENSHOTS=$(CURDIR)/tests/ClusterMap.Browser.Tests/Screenshots $(DOTNET) test tests/ClusterMap.Browser.Tests -c $(CONFIG) --nologo

format: ## Apply the .editorconfig style to every project
	$(DOTNET) format ClusterMap.sln

clean: ## Remove build output, test results and the local database
	$(DOTNET) clean ClusterMap.sln -c $(CONFIG) >/dev/null
	rm -rf .test-results .data
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
