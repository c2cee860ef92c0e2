import Link from 'next/link';
import styles from './section-nav.module.css';

/** The links between the pages of one area (the account, the admin console), above its pages. */
export function SectionNav({ label, links }: { label: string; links: { href: string; text: string }[] }) {
  return (
    <nav aria-label={label} className={styles.nav}>
      <ul>
        {links.map(({ href, text }) => (
          <li key={href}>
            <Link href={href}>{text}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
