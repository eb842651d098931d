const { marked } = require("marked");

async function searchPosts(pool, term, order) {
  const sql = `SELECT id, title FROM posts WHERE title ILIKE '%${term}%' ORDER BY ${order || "id"}`;
  const { rows } = await pool.query(sql);
  return rows;
}

async function getPost(pool, id) {
  const { rows } = await pool.query("SELECT * FROM posts WHERE id = $1", [id]);
  return rows[0];
}

function renderPreview(markdown) {
  return `<article>${marked.parse(markdown)}</article>`;
}

module.exports = { searchPosts, getPost, renderPreview };
