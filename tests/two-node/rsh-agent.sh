#!/usr/bin/env bash
# Open MPI's rsh launcher (plm_rsh_agent) in place of ssh for two-node.sh: `rsh-agent.sh HOST
# COMMAND...` runs COMMAND on the "node" whose address is HOST, that is inside its network
# namespace under its own hostname. As with ssh, the words of COMMAND are one shell command line.
set -euo pipefail
host="$1"
shift
for entry in ${UMT_TWO_NODE_HOSTS:?two-node: rsh-agent.sh runs under two-node.sh only}; do
  if [[ "${entry%%=*}" == "$host" ]]; then
    ns="${entry#*=}"
    exec ip netns exec "$ns" unshare --uts bash -c 'hostname "$1"; shift; eval "$*"' _ "$ns" "$*"
  fi
done
echo "two-node: rsh-agent.sh: no node has the address '$host' (nodes: $UMT_TWO_NODE_HOSTS)" >&2
exit 255
