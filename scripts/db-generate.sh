#!/usr/bin/env bash
# Regenerates the committed Prisma clients (prisma/generated/{sqlite,postgres}) from
# prisma/{sqlite,postgres}/schema.prisma. `prisma generate` needs no schema engine, but Prisma 7's CLI still tries
# to download one unless told where it is: /bin/false keeps it offline (see ../shared/ENVIRONMENT.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false}" CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
for provider in sqlite postgres; do
  npx --no-install prisma generate --schema "prisma/$provider/schema.prisma" >/dev/null
  echo "generated prisma/generated/$provider"
done
