// @ts-check
// The share dialog: the board's address, or on a protected board its edit and view links, each
// with a copy button; an owner can replace a link (whoever came in by the old one is let go).

import { knownLinks, rememberLinks } from "./identity.js";
import { openModal } from "./modal.js";
import { toast } from "./toast.js";

/**
 * @param {object} parts
 * @param {string} parts.boardId
 * @param {import("./access.js").Access} parts.access
 * @param {() => Record<string, string>} parts.headers the board's link
 */
export function showShare({ boardId, access, headers }) {
  const api = `/api/boards/${encodeURIComponent(boardId)}`;
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("share-dialog"));
  /** @type {HTMLElement} */ (document.getElementById("share-open")).hidden = access.protected;
  const rows = /** @type {HTMLElement} */ (document.getElementById("share-links"));
  const base = `${location.origin}/b/${boardId}`;
  const links = knownLinks(boardId);
  /** @type {[string, string, string | null][]} label, address, role to replace */
  const entries = access.protected
    ? [
        ["Can edit", links.editor ? `${base}#token=${links.editor}` : "", "editor"],
        ["Can view", links.viewer ? `${base}#token=${links.viewer}` : "", "viewer"],
      ]
    : [["Address", base, null]];
  rows.replaceChildren(
    ...entries.map(([label, address, linkRole]) => {
      const row = document.createElement("div");
      row.className = "share-row";
      const name = document.createElement("span");
      name.textContent = label;
      const field = document.createElement("input");
      field.readOnly = true;
      field.setAttribute("aria-label", `${label}: the link`);
      field.value = address || "(replace to see a new link)";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.textContent = "Copy";
      copy.addEventListener("click", () => navigator.clipboard?.writeText(field.value));
      row.append(name, field, copy);
      if (linkRole && access.role === "owner") {
        const replace = document.createElement("button");
        replace.type = "button";
        replace.textContent = "Replace";
        replace.addEventListener("click", async () => {
          const response = await fetch(`${api}/links/${linkRole}`, { method: "POST", headers: headers() });
          if (!response.ok) return toast("Could not replace the link");
          const { token: fresh } = await response.json();
          rememberLinks(boardId, { [linkRole]: fresh });
          field.value = `${base}#token=${fresh}`;
        });
        row.append(replace);
      }
      return row;
    }),
  );
  if (!dialog.open) openModal(dialog);
}
