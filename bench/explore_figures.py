#!/usr/bin/env python3
"""Issue 18's figures for explored schedules: schedules per second (race 2 x 1,000 and the
guide's deadlock, natively and in WASM under node), runs until the first deadlock or lost
update (random against pct d=1, 2; the median over 20 first seeds), and the time per switch.

    python3 bench/explore_figures.py [--seeds 20] [--markdown]

Each figure comes from `samovar explore ... --json` (native) and `node web/node-run.mjs explore
... --json` (WASM): the engine's own clock around the schedules, after one warm-up command.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NATIVE = [os.path.join(ROOT, 'build', 'native', 'native', 'samovar')]
WASM = ['node', os.path.join(ROOT, 'web', 'node-run.mjs')]

RACE = ['race', '--set', 'increments=1000']
DEADLOCK = ['deadlock', '--set', 'hold=0']


def explore(target, args):
    out = subprocess.run(target + ['explore'] + args + ['--json'], capture_output=True, text=True,
                         check=True, timeout=1800)
    return json.loads(out.stdout)


def throughput(target, scenario, runs):
    explore(target, scenario + ['--runs', '2'])  # warm-up: page cache, the module's compile
    s = explore(target, scenario + ['--runs', str(runs)])
    return {'schedules_per_s': s['schedules_per_s'], 'us_per_step': s['us_per_step'],
            'us_per_switch': s['seconds'] * 1e6 / max(1, s['switches']),
            'steps': s['steps_taken'] / s['runs'], 'switches': s['switches'] / s['runs']}


def runs_to_first(scenario, strategy, depth, seeds, cap):
    found = []
    for i in range(seeds):
        args = scenario + ['--runs', str(cap), '--seed', str(1 + i * cap), '--strategy', strategy]
        if strategy == 'pct':
            args += ['--depth', str(depth)]
        first = explore(NATIVE, args)['first_wrong']
        found.append(first['run'] if first else None)
    hits = [f for f in found if f is not None]
    return {'median': statistics.median(hits) if len(hits) == seeds else None,
            'found': len(hits), 'seeds': seeds, 'cap': cap, 'each': found}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=20)
    parser.add_argument('--markdown', action='store_true')
    args = parser.parse_args()
    figures = {'throughput': {}, 'first': {}}
    for name, target in (('native', NATIVE), ('wasm', WASM)):
        figures['throughput'][f'race 2x1000 {name}'] = throughput(target, RACE, 50)
        figures['throughput'][f'deadlock hold=0 {name}'] = throughput(target, DEADLOCK, 1000)
    for label, scenario, cap in (('deadlock', DEADLOCK, 1000), ('race', RACE, 200)):
        for strategy, depth in (('random', 0), ('pct', 1), ('pct', 2)):
            key = f'{label} {strategy}' + (f' d={depth}' if depth else '')
            figures['first'][key] = runs_to_first(scenario, strategy, depth, args.seeds, cap)
    if not args.markdown:
        print(json.dumps(figures, indent=2))
        return
    print('| explored | schedules/s | us a step | us a switch | steps | switches |')
    print('|---|---|---|---|---|---|')
    for key, f in figures['throughput'].items():
        print(f"| {key} | {f['schedules_per_s']:.0f} | {f['us_per_step']:.2f} | {f['us_per_switch']:.2f} "
              f"| {f['steps']:.0f} | {f['switches']:.0f} |")
    print()
    print('| first wrong schedule | median run | found in |')
    print('|---|---|---|')
    for key, f in figures['first'].items():
        median = '—' if f['median'] is None else f"{f['median']:g}"
        print(f"| {key} | {median} | {f['found']} of {f['seeds']} seeds (≤ {f['cap']} runs each) |")


if __name__ == '__main__':
    sys.exit(main())
