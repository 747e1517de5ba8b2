import { Backends } from './pages/Backends.js';
import { Config } from './pages/Config.js';
import { Home } from './pages/Home.js';
import { Listeners } from './pages/Listeners.js';
import { Policies } from './pages/Policies.js';
import { Routes } from './pages/Routes.js';
import { Link, usePath } from './router.js';
import { lazy, Suspense, useEffect, type ComponentType } from 'react';

// The Playground carries the MCP SDK (most of the bundle): load it only when opened.
const Playground = lazy(() => import('./pages/Playground.js').then((m) => ({ default: m.Playground })));

const PAGES: readonly { path: string; label: string; page: ComponentType; aliases?: string[] }[] = [
  { path: '/', label: 'Home', page: Home },
  { path: '/listeners/', label: 'Listeners', page: Listeners },
  { path: '/routes/', label: 'Routes', page: Routes },
  { path: '/backends/', label: 'Backends', page: Backends, aliases: ['/targets/'] },
  { path: '/policies/', label: 'Policies', page: Policies },
  { path: '/playground/', label: 'Playground', page: Playground },
  { path: '/config/', label: 'Config', page: Config },
];

export function App() {
  const path = usePath();
  const current = PAGES.find((p) => p.path === path || p.aliases?.includes(path));
  useEffect(() => {
    document.title = current ? `${current.label} · Portcullis` : 'Not found · Portcullis';
    // Scroll to a #fragment once the page has rendered its sections.
    const hash = decodeURIComponent(window.location.hash.slice(1));
    if (hash) setTimeout(() => document.getElementById(hash)?.scrollIntoView(), 300);
  }, [current]);
  const Page = current?.page;
  return (
    <div className="layout">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={24} height={24} /> Portcullis
        </Link>
        <span className="muted small">MCP gateway admin</span>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <Link to={p.path} aria-current={current === p ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {Page ? (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <Page key={path} />
          </Suspense>
        ) : (
          <>
            <h1>Page not found</h1>
            <p>
              <Link to="/">Back to the overview</Link>
            </p>
          </>
        )}
      </main>
    </div>
  );
}
