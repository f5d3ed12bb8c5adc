#!/usr/bin/python3
"""scikit-learn's GaussianProcessRegressor on the windows cryptolake projects from: the peer of
tests/stream/gaussian_process_test.cpp (same predictions to 1e-9) and of `cryptolake bench gp`.

    sklearn_gp.py IN.json OUT.json

IN:  {"x": [...], "windows": [[y...], ...], "horizons": [1, 5, 10],
      "kernel": {"constant": C, "length_scale": L, "noise": W},
      "bounds": {"constant": [lo, hi], "length_scale": [lo, hi], "noise": [lo, hi]},
      "optimise": false, "repeat": 1}
OUT: {"predictions": [[[mean, std] per horizon] per window],
      "sums": [[[mean, std] of the sum over x = 1 … horizon, per horizon] per window], "lml": [...],
      "kernels": [[C, L, W] per window], "seconds": time of the fits and predictions only}
"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel


def main(source, target):
    with open(source) as f:
        spec = json.load(f)
    x = np.asarray(spec["x"], dtype=float).reshape(-1, 1)
    horizons = np.asarray(spec["horizons"], dtype=float).reshape(-1, 1)
    k, b = spec["kernel"], spec["bounds"]
    optimise = bool(spec.get("optimise", False))
    fixed = "fixed"
    kernel = ConstantKernel(k["constant"], fixed if not optimise else tuple(b["constant"])) * \
        RBF(k["length_scale"], fixed if not optimise else tuple(b["length_scale"])) + \
        WhiteKernel(k["noise"], fixed if not optimise else tuple(b["noise"]))
    windows = [np.asarray(w, dtype=float) for w in spec["windows"]]
    out = {"predictions": [], "sums": [], "lml": [], "kernels": []}
    started = time.perf_counter()
    for _ in range(int(spec.get("repeat", 1))):
        results = []
        for y in windows:
            gp = GaussianProcessRegressor(kernel=kernel, alpha=1e-10, optimizer="fmin_l_bfgs_b" if optimise else None)
            gp.fit(x, y)
            mean, std = gp.predict(horizons, return_std=True)
            results.append((gp, mean, std))
    out["seconds"] = time.perf_counter() - started
    for gp, mean, std in results:
        out["predictions"].append([[float(m), float(s)] for m, s in zip(mean, std)])
        sums = []
        for h in horizons.ravel():
            ahead = np.arange(1, int(h) + 1, dtype=float).reshape(-1, 1)
            m, cov = gp.predict(ahead, return_cov=True)
            sums.append([float(m.sum()), float(np.sqrt(max(cov.sum(), 0.0)))])
        out["sums"].append(sums)
        out["lml"].append(float(gp.log_marginal_likelihood_value_))
        p = gp.kernel_.get_params()
        out["kernels"].append([float(p["k1__k1__constant_value"]), float(p["k1__k2__length_scale"]), float(p["k2__noise_level"])])
    with open(target, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
