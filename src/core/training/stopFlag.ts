/** `model.stopTraining`, the tfjs way of stopping a fit from a callback (internal). */

/**
 * Resets `model.stopTraining` and returns a reader of it (internal). An uncompiled Sequential
 * throws on access to the property, so such a model simply never requests a stop.
 */
export function stopFlag(model: unknown): () => boolean {
  const m = model as unknown as { stopTraining?: boolean };
  try {
    m.stopTraining = false;
  } catch {
    return () => false;
  }
  return () => {
    try {
      return m.stopTraining === true;
    } catch {
      return false;
    }
  };
}
