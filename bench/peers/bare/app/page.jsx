/** One heading and one link: what any App Router page ships before it does anything. */
export default function Page() {
  return (
    <main>
      <h1>Bare page</h1>
      <a href="/">Home</a>
    </main>
  );
}
