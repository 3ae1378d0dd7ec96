# What a share of a hot set in huge pages is worth on the host's TLB,
# from tools/bench/calibrate's output (lines "CALIB SHARE ACTUAL RATE
# GAIN"), read from the file in the variable calib.  gain(P) is the read
# rate gain at P% against 0%, linear between calibration points, as
# "+35%", or "-" without a calibration.  Used with awk -f next to the
# caller's own program (tools/bench/run, tools/demo.sh).
BEGIN {
	nc = 0
	while (calib != "" && (getline line < calib) > 0) {
		split(line, f, " ")
		if (f[1] == "CALIB") { cs[nc] = f[3]; cg[nc] = f[5]; nc++ }
	}
}
function gain(p,   i) {
	if (nc == 0) return "-"
	if (p <= cs[0]) return sprintf("%+.0f%%", cg[0])
	for (i = 1; i < nc; i++)
		if (p <= cs[i])
			return sprintf("%+.0f%%", cg[i-1] + (cg[i] - cg[i-1]) * (p - cs[i-1]) / (cs[i] - cs[i-1]))
	return sprintf("%+.0f%%", cg[nc-1])
}
