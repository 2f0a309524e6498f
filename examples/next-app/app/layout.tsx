import type { ReactNode } from 'react';

export const metadata = { title: 'Tessera + Next.js' };

export default function RootLayout({ children }: { children: ReactNode }): ReactNode {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '2rem auto' }}>
        <nav>
          <a href="/">Home</a> · <a href="/account">Account</a>
        </nav>
        {children}
      </body>
    </html>
  );
}
