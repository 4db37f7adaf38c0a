#!/bin/sh
# scripts/simgrid/platform.sh HOSTS SPEED OUT_XML OUT_HOSTFILE - a SimGrid
# platform of HOSTS nodes of SPEED flop/s (this machine's dgemm rate) in a
# star: each node's own full-duplex link (1 us, 10 GB/s) to a non-blocking
# backbone (0 us, 10 TB/s), so a message between two nodes sees 2 us and
# 10 GB/s: the latency and bandwidth of dist.cost's Hockney model.
[ $# -eq 4 ] || { echo "usage: platform.sh HOSTS SPEED OUT_XML OUT_HOSTFILE" >&2; exit 2; }
hosts=$1 speed=$2
cat > "$3" <<XML
<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <cluster id="mlsh" prefix="node-" suffix="" radical="0-$((hosts - 1))" speed="${speed}f"
           bw="10GBps" lat="1us" bb_bw="10TBps" bb_lat="0us" sharing_policy="SPLITDUPLEX"/>
</platform>
XML
i=0; : > "$4"
while [ $i -lt "$hosts" ]; do echo "node-$i" >> "$4"; i=$((i + 1)); done
