/** A FormData with these fields, as a browser would post a form of text inputs. */
export function formData(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.append(name, value);
  return data;
}
