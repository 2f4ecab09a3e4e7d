#!/usr/bin/env bash
# Runs every test of the solution. Extra arguments go to `dotnet test` (for example -c Release).
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet test ArkEvent.sln "$@"
