#!/bin/sh
# Entry point of the rocketlead/platform image: one image, the first argument picks the service.
#   entrypoint.sh <service>           run the service (HTTP on $PORT); <service> is one of ingress, leads,
#                                     calendar, automation, delivery, integrations
#   entrypoint.sh <service> migrate   apply the service's migrations (all but ingress: also their JetStream
#                                     streams), exit
#   entrypoint.sh ingress cli <command> ...  ingress admin CLI, e.g. `ingress cli bootstrap --org "Acme"`
set -eu

APP_DIR="${APP_DIR:-/app}"

usage() {
  echo "usage: entrypoint.sh <ingress|leads|calendar|automation|delivery|integrations> [migrate]" >&2
  echo "       entrypoint.sh ingress cli bootstrap --org <name>" >&2
  exit 64
}

[ $# -ge 1 ] || usage
service="$1"
shift
case "$service" in
  ingress | leads | calendar | automation | delivery | integrations) ;;
  *) echo "unknown service: $service" >&2; usage ;;
esac
dist="$APP_DIR/apps/$service/dist"

# exec: node becomes PID 1 and receives SIGTERM itself, so the service shuts down gracefully.
case "${1:-}" in
  "") exec node "$dist/main.js" ;;
  migrate) [ $# -eq 1 ] || usage; exec node "$dist/main.js" migrate ;;
  cli)
    shift
    [ -f "$dist/cli.js" ] || { echo "$service has no cli" >&2; exit 64; }
    exec node "$dist/cli.js" "$@"
    ;;
  *) usage ;;
esac
