# What a share of a hot set in huge pages is worth on the host's TLB,
# from tools/bench/calibrate's output (lines "CALIB SHARE ACTUAL RATE
# GAIN [SPREAD]"), read from the file in the variable calib.  gain(P) is
# the read rate gain at P% against 0% (medians of at least 5 runs), linear
# between calibration points, with its spread, as "+35% ±6"; "n/a (noise)"
# when the spread is larger than the gain, and "-" without a calibration.
# Used with awk -f next to the caller's own program (tools/bench/run,
# tools/demo.sh).
BEGIN {
	nc = 0
	while (calib != "" && (getline line < calib) > 0) {
		split(line, f, " ")
		if (f[1] == "CALIB") { cs[nc] = f[3]; cg[nc] = f[5]; csp[nc] = f[6] + 0; nc++ }
	}
}
function gain_of(g, sp) {
	if (sp > (g < 0 ? -g : g)) return "n/a (noise)"
	return sprintf("%+.0f%% ±%.0f", g, sp)
}
function gain(p,   i, w) {
	if (nc == 0) return "-"
	if (p <= cs[0]) return gain_of(cg[0], csp[0])
	for (i = 1; i < nc; i++)
		if (p <= cs[i]) {
			w = (p - cs[i-1]) / (cs[i] - cs[i-1])
			return gain_of(cg[i-1] + (cg[i] - cg[i-1]) * w, csp[i-1] + (csp[i] - csp[i-1]) * w)
		}
	return gain_of(cg[nc-1], csp[nc-1])
}
