# The main job's guest half (tools/demo.sh), under systemd with THP
# enabled=never: two services with the same hot working set, shop.service
# in shop.slice and batch.service in batch.slice.  shop.slice gets a policy
# the way an operator would give it one (a drop-in [X-Hugepage] section,
# as `systemctl edit shop.slice` writes) while hugepaged.service runs (its
# package enabled it; it started at boot), and the hot sets' share in huge
# pages is shown before and after.
# Prints "DEMO ..." lines that tools/demo.sh turns into its summary.
#
# Usage: systemd_demo.sh [SECONDS]   (how long to wait for the collapse, default 180)
. /hp/tests/lib.sh
limit=${1:-180}
thp_set never
UNITS=/etc/systemd/system

say() { echo "demo: $*"; }
secs() { local t; t=$(uptime_s); echo "${t%.*}"; }

# hot_pct NAME / cold_pct NAME: share of the service's hot / cold region in huge pages.
hot_pct() { pct "$(eval echo \$${1}_PID)" "$(eval echo \$${1}_HOT)" "$(eval echo \$${1}_HLEN)"; }
cold_pct() { pct "$(eval echo \$${1}_PID)" "$(eval echo \$${1}_COLD)" "$(eval echo \$${1}_CLEN)"; }

say "two services with a 128 MiB hot set (read in a loop) and 128 MiB cold, each in its own slice"
for s in shop batch; do
	printf '[Unit]\nDescription=%s slice\n' $s > $UNITS/$s.slice
	cat > $UNITS/$s.service <<EOF
[Unit]
Description=demo workload $s

[Service]
Slice=$s.slice
ExecStart=/hp/bin/hotcold --hot 128 --cold 128 --ready /run/$s.ready
EOF
done
systemctl daemon-reload
systemctl start shop.service batch.service || fail "cannot start the demo services"
for s in shop batch; do
	wait_for 60 test -s /run/$s.ready || fail "$s did not become ready"
	set -- $(cat /run/$s.ready)
	eval "${s}_PID=$(systemctl show -p MainPID --value $s.service) ${s}_HOT=$2 ${s}_HLEN=$3 ${s}_COLD=$5 ${s}_CLEN=$6"
done
sleep 5
for s in shop batch; do
	say "before: $s.service hot set $(hot_pct $s)% in huge pages, cold $(cold_pct $s)%"
	echo "DEMO before $s hot=$(hot_pct $s) cold=$(cold_pct $s)"
done
echo "DEMO meminfo_before $(awk '/^AnonHugePages/ { print $2 }' /proc/meminfo)"

say "hugepaged $(dpkg-query -W -f='${Version}' hugepaged), installed with dpkg -i, enabled by its package, started at boot"
systemctl is-active -q hugepaged.service || { systemctl status hugepaged --no-pager; fail "hugepaged.service is not running"; }
say "hugepaged.service is $(systemctl is-active hugepaged.service): $(systemctl show -p StatusText --value hugepaged.service)"

say "policy for shop.slice only: /etc/systemd/system/shop.slice.d/hugepage.conf, then systemctl daemon-reload"
mkdir -p $UNITS/shop.slice.d
printf '[X-Hugepage]\nPriority=10\n' > $UNITS/shop.slice.d/hugepage.conf
sed 's/^/demo:   /' $UNITS/shop.slice.d/hugepage.conf
systemctl daemon-reload

start=$(secs)
while :; do
	now=$(secs)
	say "$((now - start)) s: shop hot $(hot_pct shop)%, batch hot $(hot_pct batch)%"
	[ "$(hot_pct shop)" -ge 95 ] && break
	[ $((now - start)) -lt "$limit" ] || break
	sleep 5
done
elapsed=$(( $(secs) - start ))

echo
hugepagectl status
echo
hugepagectl explain batch.slice
echo
for s in shop batch; do
	say "after: $s.service hot set $(hot_pct $s)% in huge pages, cold $(cold_pct $s)%"
	echo "DEMO after $s hot=$(hot_pct $s) cold=$(cold_pct $s) seconds=$elapsed"
done
echo "DEMO meminfo_after $(awk '/^AnonHugePages/ { print $2 }' /proc/meminfo)"
echo "DEMO fed $(hugepagectl status --json | python3 -c 'import json,sys; print(",".join(g["path"] for g in json.load(sys.stdin)["groups"] if g["decision"] == "fed"))')"
[ "$(hot_pct shop)" -ge 90 ] || fail "shop's hot set did not reach 90% in huge pages"
[ "$(hot_pct batch)" -eq 0 ] || fail "batch's hot set is in huge pages without a policy"
