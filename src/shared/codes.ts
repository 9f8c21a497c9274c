/** Slot index to its stable code: 0 → A, 25 → Z, 26 → AA, 27 → AB, … (spreadsheet columns). */
export function slotCode(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`slot index must be a non-negative integer, received ${index}`);
  let code = '';
  let n = index + 1;
  while (n > 0) {
    const rem = (n - 1) % 26;
    code = String.fromCharCode(65 + rem) + code;
    n = Math.floor((n - 1) / 26);
  }
  return code;
}

export function isSlotCode(value: string): boolean {
  return /^[A-Z]+$/.test(value);
}
