// Figures in words, for progress lines and status text.

/** How long `s` seconds is, in words: "42 s", "3 min 5 s", "1 h 2 min". */
export function formatSeconds(s) {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
