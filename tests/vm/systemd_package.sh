# The hugepaged Debian package in the systemd guest (tools/vm/sysimage
# installs it with dpkg -i; /hp/debs holds it and its rebuild, a newer
# version whose conffile changed, both from tools/build-deb), the way an
# operator handles it:
#   - purge the image's copy, then take the file system's list;
#   - dpkg -i: the unit is enabled and, with the module in this kernel,
#     started; systemctl status says so; hugepagectl reads its status;
#   - the metrics timer, once enabled, writes hugepaged.prom for
#     node_exporter;
#   - the operator edits /etc/hugepaged/hugepaged.conf, a group is fed;
#   - upgrade to the rebuild (dpkg -i --force-confold, as apt does when
#     told to keep local changes): the edit is kept, the new version is
#     beside it as .dpkg-dist, the daemon is restarted and runs the edit;
#   - dpkg -r: the running daemon is stopped and its groups unfed, the
#     metrics file is gone, the conffiles stay;
#   - dpkg --purge: the file system's list is as before the install.
. /hp/tests/lib.sh

PROC=/proc/damon_hugepage
TEXTFILE_DIR=/var/lib/prometheus/node-exporter
V1=$(ls /hp/debs/hugepaged_*.deb | grep -v '+rebuild')
V2=$(ls /hp/debs/hugepaged_*+rebuild1_*.deb)
[ -f "$V1" ] && [ -f "$V2" ] || fail "no package and rebuild in /hp/debs: $(ls /hp/debs)"

version() { dpkg-query -W -f='${Version}' hugepaged 2> /dev/null; }
status_of() { dpkg-query -W -f='${db:Status-Abbrev}' hugepaged 2> /dev/null | tr -d ' '; }
mainpid() { systemctl show -p MainPID --value hugepaged.service; }
kgroup() { grep "^group=cgroup:$1 " $PROC; }
running() { kgroup "$1" | grep -q ' state=running'; }
show() { systemctl status hugepaged --no-pager; cat $PROC; journalctl -u hugepaged --no-pager -n 30; }

# Every path of the root file system, and hugepaged's runtime directory,
# less what changes by itself while the guest runs: logs, caches,
# temporary files, dpkg's and systemd's own bookkeeping.
snapshot() {
	{
		find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var/tmp \
			-o -path /var/log -o -path /var/cache -o -path /root -o -path /hp \
			-o -path /var/lib/systemd/timers -o -path /var/lib/systemd/catalog \
			-o -path /var/lib/dpkg/updates -o -path /var/lib/dpkg/lock -o -path /var/lib/dpkg/lock-frontend \
			-o -path /var/lib/dpkg/triggers/Lock -o -path '/var/lib/dpkg/*-old' \) -prune -o -print
		find /run/hugepaged 2> /dev/null
	} | sort
}

note "the image's package: $(status_of) $(version)"
[ "$(status_of)" = ii ] || fail "hugepaged is not installed in the image"
dpkg --purge hugepaged > /tmp/purge0.log 2>&1 || { cat /tmp/purge0.log; fail "dpkg --purge of the image's package"; }
# As if node_exporter were installed: its textfile directory.
mkdir -p $TEXTFILE_DIR
snapshot > /tmp/before.txt
note "$(wc -l < /tmp/before.txt) paths before the install"

note "dpkg -i $(basename "$V1")"
dpkg -i "$V1" > /tmp/install.log 2>&1 || { cat /tmp/install.log; fail "dpkg -i"; }
sed 's/^/#   /' /tmp/install.log
[ "$(status_of)" = ii ] || fail "dpkg status is '$(status_of)' after the install"
dpkg -L hugepaged | grep -qx /usr/sbin/hugepaged || fail "no /usr/sbin/hugepaged in the package"
for f in /etc/hugepaged/hugepaged.conf /etc/default/hugepaged-metrics; do
	grep -qx "$f" /var/lib/dpkg/info/hugepaged.conffiles || fail "$f is not a conffile"
done
[ "$(systemctl is-enabled hugepaged.service)" = enabled ] || fail "hugepaged.service is $(systemctl is-enabled hugepaged.service)"
[ "$(systemctl is-enabled hugepaged-metrics.timer)" = disabled ] || fail "the metrics timer is enabled by the package"
wait_for 60 systemctl is-active -q hugepaged.service || { show; fail "hugepaged.service not started by the install"; }
systemctl status hugepaged --no-pager > /tmp/systemctl-status.txt 2>&1 || { cat /tmp/systemctl-status.txt; fail "systemctl status hugepaged"; }
sed 's/^/#   /' /tmp/systemctl-status.txt
grep -q 'Loaded: loaded (/lib/systemd/system/hugepaged.service; enabled' /tmp/systemctl-status.txt || fail "systemctl status: not loaded and enabled"
grep -q 'Active: active (running)' /tmp/systemctl-status.txt || fail "systemctl status: not running"
wait_for 20 test -f /run/hugepaged/status || fail "no status file"
hugepagectl status > /tmp/hpstatus.txt || { cat /tmp/hpstatus.txt; fail "hugepagectl status"; }
grep -q "^hugepaged: pid $(mainpid), backend module" /tmp/hpstatus.txt || { cat /tmp/hpstatus.txt; fail "hugepagectl status: not the running daemon"; }

note "the operator edits the conffile and feeds a group"
sed -i 's/^#KdamondLimit=4$/KdamondLimit=3/' /etc/hugepaged/hugepaged.conf
grep -qx 'KdamondLimit=3' /etc/hugepaged/hugepaged.conf || fail "no #KdamondLimit=4 line to edit in the shipped hugepaged.conf"
mkdir -p /run/hugepaged/policies.d
printf '[Match]\nSlice=pkgtest.slice\n[Policy]\nPriority=10\n' > /run/hugepaged/policies.d/50-pkgtest.conf
systemd-run --quiet --unit=pkgtest --slice=pkgtest.slice /hp/bin/hotcold --hot 16 --cold 16 ||
	fail "cannot start the workload"
systemctl reload hugepaged.service || { show; fail "systemctl reload"; }
wait_for 60 running /pkgtest.slice || { show; fail "pkgtest.slice not fed"; }
grep -q '^daemon .* kdamond_limit=3 ' /run/hugepaged/status || fail "the reload did not apply KdamondLimit=3"

note "the metrics timer writes hugepaged.prom"
systemctl enable --now hugepaged-metrics.timer 2>&1 | sed 's/^/#   /'
prom=$TEXTFILE_DIR/hugepaged.prom
fed_metrics() { grep -q '^hugepaged_group_state{backend="module",group="/pkgtest.slice",state="running"} 1$' $prom 2> /dev/null; }
wait_for 90 fed_metrics || { cat $prom; systemctl status hugepaged-metrics.service --no-pager; fail "no metrics of the fed group in $prom"; }
grep -qx 'hugepaged_up{backend="module"} 1' $prom || fail "hugepaged_up is not 1 in $prom"
grep -qx 'hugepaged_kdamond_limit{backend="module"} 3' $prom || fail "the metrics' kdamond limit is not 3"
note "$prom after ${WAITED}s: $(grep -c -v '^#' $prom) samples"
if journalctl -u hugepaged-metrics --no-pager -o cat | grep -iE 'denied|not permitted|read-only'; then
	fail "hugepaged-metrics.service's sandbox refused something"
fi

note "upgrade to $(basename "$V2") with the edited conffile"
OLD=$(mainpid)
dpkg -i --force-confold "$V2" > /tmp/upgrade.log 2>&1 || { cat /tmp/upgrade.log; fail "the upgrade"; }
sed 's/^/#   /' /tmp/upgrade.log
[ "$(version)" = "$(dpkg-deb -f "$V2" Version)" ] || fail "version $(version) after the upgrade"
grep -qx 'KdamondLimit=3' /etc/hugepaged/hugepaged.conf || fail "the upgrade lost the operator's edit"
grep -q '^# Rebuilt as ' /etc/hugepaged/hugepaged.conf && fail "the upgrade replaced the edited conffile"
grep -q '^# Rebuilt as ' /etc/hugepaged/hugepaged.conf.dpkg-dist || fail "no new hugepaged.conf.dpkg-dist beside it"
wait_for 30 sh -c "systemctl is-active -q hugepaged.service && [ \"\$(systemctl show -p MainPID --value hugepaged.service)\" != $OLD ]" ||
	{ show; fail "hugepaged not restarted by the upgrade"; }
note "restarted by the upgrade: pid $OLD -> $(mainpid)"
wait_for 30 sh -c "grep -q '^daemon pid=$(mainpid) .* kdamond_limit=3 ' /run/hugepaged/status" ||
	{ cat /run/hugepaged/status; fail "the upgraded daemon does not run the kept edit"; }
wait_for 60 running /pkgtest.slice || { show; fail "pkgtest.slice not fed after the upgrade"; }

note "dpkg -r: the running daemon stops, its groups unfed"
systemctl is-active -q hugepaged.service || fail "hugepaged is not running before the removal"
dpkg -r hugepaged > /tmp/remove.log 2>&1 || { cat /tmp/remove.log; fail "dpkg -r"; }
sed 's/^/#   /' /tmp/remove.log
[ "$(status_of)" = rc ] || fail "dpkg status '$(status_of)' after the removal, not rc"
systemctl is-active -q hugepaged.service && fail "hugepaged still runs after the removal"
systemctl is-active -q hugepaged-metrics.timer && fail "the metrics timer still runs after the removal"
[ -z "$(cat $HP_PARAMS/cgroups)" ] || fail "the module's cgroups still '$(cat $HP_PARAMS/cgroups)'"
grep -q '^# damon_hugepage 1 enabled=N' $PROC || { cat $PROC; fail "the module still runs"; }
# Disabled, the module may keep its last record of a group, stopped.
running /pkgtest.slice && fail "the module still runs pkgtest.slice: $(kgroup /pkgtest.slice)"
note "the module after the removal: $(head -n 1 $PROC), pkgtest.slice $(kgroup /pkgtest.slice | sed -n 's/.* \(kdamond=[^ ]*\) \(state=[^ ]*\) .*/\1 \2/p')"
[ ! -e /usr/sbin/hugepaged ] && [ ! -e /usr/bin/hugepagectl ] || fail "programs left after the removal"
[ ! -e $prom ] || fail "$prom left after the removal"
[ ! -e /run/hugepaged/status ] || fail "the status of the removed daemon is left"
grep -qx 'KdamondLimit=3' /etc/hugepaged/hugepaged.conf || fail "dpkg -r removed the edited conffile"

note "dpkg --purge: nothing left behind"
systemctl stop pkgtest.service
dpkg --purge hugepaged > /tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "dpkg --purge"; }
sed 's/^/#   /' /tmp/purge.log
[ -z "$(status_of)" ] || fail "dpkg still knows hugepaged: '$(status_of)'"
systemctl daemon-reload
snapshot > /tmp/after.txt
if ! diff -u /tmp/before.txt /tmp/after.txt > /tmp/left.diff; then
	sed 's/^/#   /' /tmp/left.diff
	fail "the file system differs from before the install (above)"
fi
note "$(wc -l < /tmp/after.txt) paths after the purge, as before"
echo PASS
