// @ts-check
// The people on the board, listed at the top right: a dot in each one's color and their name;
// this person's own entry has the button to change their name, and an owner gets one to remove
// each of the others.

/** @typedef {{peer: number, user: string, name: string, color: string}} Person */

export class People {
  /**
   * @param {HTMLElement} list the page's ``#people``
   * @param {object} parts
   * @param {string} parts.user this browser's user
   * @param {() => HTMLElement} parts.changeName makes the button beside this person's own name
   * @param {() => boolean} parts.mayRemove whether this person may remove the others (an owner)
   * @param {(person: Person) => void} parts.remove removes someone from the board
   */
  constructor(list, { user, changeName, mayRemove, remove }) {
    this.list = list;
    this.user = user;
    this.changeName = changeName;
    this.mayRemove = mayRemove;
    this.remove = remove;
    /** @type {Map<number, Person>} by peer */
    this.byPeer = new Map();
  }

  /**
   * Everyone the welcome names, and this person (``you``) as they joined.
   * @param {Person[]} peers @param {Person} you
   */
  welcome(peers, you) {
    this.byPeer.clear();
    for (const peer of peers) this.byPeer.set(peer.peer, peer);
    this.byPeer.set(you.peer, { ...you, name: `${you.name} (you)` });
    this.render();
  }

  /** @param {Person} person */
  joined(person) {
    this.byPeer.set(person.peer, person);
    this.render();
  }

  /** @param {number} peer */
  left(peer) {
    this.byPeer.delete(peer);
    this.render();
  }

  /** @param {number} peer */
  get(peer) {
    return this.byPeer.get(peer);
  }

  render() {
    this.list.replaceChildren(...[...this.byPeer.values()].map((person) => this._item(person)));
  }

  /** @param {Person} person */
  _item(person) {
    const item = document.createElement("li");
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.style.setProperty("--color", person.color);
    // <bdi>: a name's direction never reorders the text around it.
    const name = document.createElement("bdi");
    name.textContent = person.name;
    item.append(dot, name);
    if (person.user === this.user) item.append(this.changeName());
    if (this.mayRemove() && person.user !== this.user) {
      const kick = document.createElement("button");
      kick.className = "kick";
      kick.type = "button";
      kick.title = `Remove ${person.name} from the board`;
      kick.setAttribute("aria-label", kick.title);
      kick.textContent = "✕";
      kick.addEventListener("click", () => {
        if (confirm(`Remove ${person.name} from this board?`)) this.remove(person);
      });
      item.append(kick);
    }
    return item;
  }
}
