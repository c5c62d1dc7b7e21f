// What a reader needs to judge a chart: isolation, timer resolution, cores. Taken from this page where
// the brief says so (crossOriginIsolated, hardwareConcurrency) and from the report for the engine's timer.
import { resolution, browserName } from './format.js';

export function here(report) {
  return {
    isolated: globalThis.crossOriginIsolated === true,
    timer: report.machine?.timer_resolution_s,
    cores: navigator.hardwareConcurrency,
    browser: browserName(report.machine?.browser ?? navigator.userAgent),
  };
}

export function isolationText(isolated) {
  return `cross-origin isolated: ${isolated ? 'yes' : 'no'}`;
}

export function coresText(cores) {
  return Number.isFinite(cores) ? `${cores}` : 'unknown';
}

export function timelineConditions(report) {
  const h = here(report);
  return [
    `WASM in ${h.browser}`,
    isolationText(h.isolated),
    `timer resolution: ${resolution(h.timer)}`,
    `cores: ${coresText(h.cores)} (navigator.hardwareConcurrency)`,
    `scale ${report.scale}: 1 guide second = ${report.scale} s here`,
  ].join(' · ');
}

export function comparisonConditions(report, native) {
  const h = here(report);
  const m = native?.machine ?? {};
  const parts = [
    isolationText(h.isolated),
    `timer resolution: ${resolution(h.timer)} here, ${native ? `${resolution(m.timer_resolution_s)} native` : 'native unknown'}`,
    `cores: ${coresText(h.cores)} here (navigator.hardwareConcurrency), ${native ? `${coresText(m.cores)} native` : 'native unknown'}`,
    `scale ${report.scale}, seed ${report.seed}`,
  ];
  if (native) {
    const when = native.recorded_at ? ` ${native.recorded_at.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}` : '';
    parts.push(`${native.live ? 'native run now' : `native recorded${when}`}${m.os ? ` on ${m.os}` : ''}`);
  }
  return `Conditions: ${parts.join(' · ')}.`;
}
