#!/usr/bin/env bash
# Two "nodes" on this machine: two network namespaces joined by a veth pair, each with its own
# hostname, and an Open MPI job started across them the way a cluster starts one — a hostfile
# naming both addresses, mpirun on the first node, the remote daemon (orted) started on the second
# through the rsh launcher (rsh-agent.sh stands in for ssh). Only TCP over the veth pair (and
# `self`) may carry messages, so no shared memory can join the ranks.
#
#   tests/two-node/two-node.sh [--btl LIST] [--np N] -- PROGRAM [ARGS...]
#
# runs `mpirun -np N PROGRAM ARGS` (N = 2 by default, one rank per node, by node) and exits with
# mpirun's status. --btl replaces `tcp,self` (the tests pass `self,vader` to show that without
# TCP the ranks cannot reach each other). Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2.
# Addresses are in 198.18.0.0/15 (RFC 2544's benchmarking range), inside the namespaces only,
# so nothing leaves this machine. Every invocation has its own names (the script's pid), and the
# EXIT trap removes what it made (its processes, the namespaces and so the veth pair) even when
# the job fails or the script is stopped with SIGTERM/SIGINT.
set -uo pipefail

btl="tcp,self"
np=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --btl) btl="$2"; shift 2 ;;
    --np) np="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "two-node: unknown option '$1'; usage: two-node.sh [--btl LIST] [--np N] -- PROGRAM [ARGS...]" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "two-node: no program given; usage: two-node.sh [--btl LIST] [--np N] -- PROGRAM [ARGS...]" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
id="umt21-$$"
ns_a="$id-a" ns_b="$id-b"
veth_a="u$$a" veth_b="u$$b"  # names in the root namespace while they are made (≤ 15 characters)
nic="umtnet0"                  # the pair's name inside each namespace, the same on both nodes
addr_a="198.18.0.1" addr_b="198.18.0.2"
scratch="$(mktemp -d "/tmp/$id.XXXXXX")"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for ns in "$ns_a" "$ns_b"; do
    if ip netns list 2>/dev/null | grep -qw "$ns"; then
      # the job's processes first: a namespace with live processes outlives `ip netns del`
      local pids
      pids="$(ip netns pids "$ns" 2>/dev/null)"
      [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null
      ip netns del "$ns" 2>/dev/null
    fi
  done
  ip link del "$veth_a" 2>/dev/null   # only left in the root namespace when setup failed half-way
  rm -rf "$scratch"
  echo "two-node: removed $ns_a, $ns_b and their veth pair" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fail_setup() {
  echo "two-node: cannot create network namespaces ($1): run as root with CAP_SYS_ADMIN and CAP_NET_ADMIN, e.g. a privileged container" >&2
  exit 3
}
command -v ip >/dev/null 2>&1 || fail_setup "iproute2's ip is not installed"
command -v mpirun >/dev/null 2>&1 || { echo "two-node: mpirun not found: install Open MPI (build/env.sh umt_ensure_mpi)" >&2; exit 3; }
err="$(ip netns add "$ns_a" 2>&1)" || fail_setup "ip netns add: $err"
err="$(ip netns add "$ns_b" 2>&1 && ip link add "$veth_a" type veth peer name "$veth_b" 2>&1 \
  && ip link set "$veth_a" netns "$ns_a" && ip link set "$veth_b" netns "$ns_b" \
  && ip -n "$ns_a" link set "$veth_a" name "$nic" && ip -n "$ns_b" link set "$veth_b" name "$nic" \
  && ip -n "$ns_a" addr add "$addr_a/24" dev "$nic" && ip -n "$ns_b" addr add "$addr_b/24" dev "$nic" \
  && ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up \
  && ip -n "$ns_a" link set "$nic" up && ip -n "$ns_b" link set "$nic" up 2>&1)" || fail_setup "veth pair: $err"
echo "two-node: nodes $ns_a ($addr_a) and $ns_b ($addr_b) joined by a veth pair ($nic), btl $btl" >&2

# The hostfile a cluster's scheduler would write: one slot per node, so ranks go one per node.
printf '%s slots=%s\n%s slots=%s\n' "$addr_a" $(((np + 1) / 2)) "$addr_b" $((np / 2)) > "$scratch/hostfile"
# The rsh agent learns which namespace holds which address from the environment.
export UMT_TWO_NODE_HOSTS="$addr_a=$ns_a $addr_b=$ns_b"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# mpirun runs on node a under that node's hostname (a UTS namespace of its own); the job's
# processes keep the working directory, the shared filesystem of a cluster.
ip netns exec "$ns_a" unshare --uts bash -c 'hostname "$1"; shift; exec "$@"' _ "$ns_a" \
  mpirun --hostfile "$scratch/hostfile" -np "$np" --map-by node \
    --mca plm_rsh_agent "$here/rsh-agent.sh" \
    --mca pml ob1 --mca btl "$btl" \
    --mca btl_tcp_if_include "$nic" --mca oob_tcp_if_include "$nic" \
    "$@" &
job=$!
wait "$job"
status=$?
for ns in "$ns_a" "$ns_b"; do
  echo "two-node: $ns $nic $(ip -n "$ns" -s -j link show "$nic" 2>/dev/null | grep -o '"tx":{"bytes":[0-9]*' | grep -o '[0-9]*$') bytes sent" >&2
done
exit "$status"
