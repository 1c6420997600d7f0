/** HTML of productpage. Markup is this sample's own; class names follow Bootstrap 3 as the upstream page's do. */

export interface Product {
  id: number;
  title: string;
  descriptionHtml: string;
}

export interface ReviewView {
  reviewer?: string;
  text?: string;
  rating?: { stars?: number; color?: string; error?: string };
}

export interface PageData {
  product: Product;
  user: string | undefined;
  detailsStatus: number;
  details: Record<string, unknown>;
  reviewsStatus: number;
  reviews: { reviews?: ReviewView[]; podname?: string; clustername?: string; error?: string };
}

export const TITLE = 'Simple Bookstore App';

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#333}
.navbar{background:#222;color:#ddd;padding:10px 20px;display:flex;justify-content:space-between;align-items:center}
.navbar a{color:#fff}.container-fluid{padding:0 20px}.row{display:flex;flex-wrap:wrap}
.col-md-6{flex:1 1 50%;box-sizing:border-box;padding:0 15px}.text-center{text-align:center}.text-primary{color:#337ab7}
blockquote{border-left:5px solid #eee;margin:0 0 20px;padding:10px 20px}small{display:block;color:#777}
.glyphicon-star::before{content:"\\2605"}.glyphicon-star-empty::before{content:"\\2606"}`;

function page(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${TITLE}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function nav(user: string | undefined): string {
  const right = user
    ? `<p class="navbar-text navbar-right"><i class="glyphicon glyphicon-user"></i> <span>${esc(user)} ( <a href="logout">sign out</a> )</span></p>`
    : `<form class="navbar-form navbar-right" method="post" action="login" name="login_form">
  <input type="text" name="username" id="username" placeholder="User Name">
  <input type="password" name="passwd" placeholder="Password">
  <button type="submit" class="btn btn-default navbar-btn">Sign in</button>
</form>`;
  return `<nav class="navbar navbar-inverse navbar-static-top">
<a class="navbar-brand" href="#">BookInfo Sample</a>
${right}
</nav>`;
}

function stars(rating: NonNullable<ReviewView['rating']>): string {
  if (typeof rating.stars === 'number' && rating.stars > 0) {
    const n = Math.min(5, Math.max(0, Math.trunc(rating.stars)));
    const full = '<span class="glyphicon glyphicon-star"></span>'.repeat(n);
    const empty = '<span class="glyphicon glyphicon-star-empty"></span>'.repeat(5 - n);
    return `<font color="${esc(rating.color)}">${full}${empty}</font>`;
  }
  if (rating.error) return `<p><i>${esc(rating.error)}</i></p>`;
  return '';
}

function detailsColumn(d: PageData): string {
  if (d.detailsStatus !== 200) {
    const why = d.details.error ? `\n<p>${esc(d.details.error)}</p>` : '';
    return `<h4 class="text-center text-primary">Error fetching product details!</h4>${why}`;
  }
  const row = (label: string, key: string) => `<dt>${label}:</dt><dd>${esc(d.details[key])}</dd>`;
  return `<h4 class="text-center text-primary">Book Details</h4>
<dl>
${row('Type', 'type')}
${row('Pages', 'pages')}
${row('Publisher', 'publisher')}
${row('Language', 'language')}
${row('ISBN-10', 'ISBN-10')}
${row('ISBN-13', 'ISBN-13')}
</dl>`;
}

function reviewsColumn(d: PageData): string {
  if (d.reviewsStatus !== 200) {
    const why = d.reviews.error ? `\n<p>${esc(d.reviews.error)}</p>` : '';
    return `<h4 class="text-center text-primary">Error fetching product reviews!</h4>${why}`;
  }
  const items = (d.reviews.reviews ?? []).map(
    (r) => `<blockquote>
<p>${esc(r.text)}</p>
<small>${esc(r.reviewer)}</small>
${r.rating ? stars(r.rating) : ''}
</blockquote>`,
  );
  const cluster =
    d.reviews.clustername && d.reviews.clustername !== 'null'
      ? ` on cluster <u>${esc(d.reviews.clustername)}</u>`
      : '';
  return `<h4 class="text-center text-primary">Book Reviews</h4>
${items.join('\n')}
<dl>
<dt>Reviews served by:</dt>
<u>${esc(d.reviews.podname)}</u>${cluster}
</dl>`;
}

export function renderProductPage(d: PageData): string {
  return page(`${nav(d.user)}
<div class="container-fluid">
<div class="row"><div class="col-md-12">
<h3 class="text-center text-primary">${esc(d.product.title)}</h3>
<p>Summary: ${d.product.descriptionHtml}</p>
</div></div>
<div class="row">
<div class="col-md-6">
${detailsColumn(d)}
</div>
<div class="col-md-6">
${reviewsColumn(d)}
</div>
</div>
</div>`);
}

export function renderIndex(services: { name: string; url: string; children: string[] }[]): string {
  const rows = services
    .map(
      (s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.url)}</td><td>${esc(s.children.join(', '))}</td></tr>`,
    )
    .join('\n');
  return page(`<div class="container-fluid">
<h3 class="text-primary">Hello! This is a simple bookstore application.</h3>
<p>It is made of several services: productpage calls details and reviews, and reviews calls ratings.</p>
<table class="table table-condensed table-bordered table-hover">
<tr><th>service</th><th>address</th><th>calls</th></tr>
${rows}
</table>
<p>Open the product page as a <a href="productpage?u=normal">normal user</a> or as a
<a href="productpage?u=test">test user</a>.</p>
</div>`);
}
