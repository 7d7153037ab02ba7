// @ts-check
// The people on the board, listed at the top right: a dot in each one's color and their name;
// this person's own entry has the button to change their name, and an owner gets one to remove
// each of the others. A click on someone else follows their view (follow.js); the one followed
// shows it, with a button to stop, and those who follow this person say so.

/** @typedef {{peer: number, user: string, name: string, color: string}} Person */

export class People {
  /**
   * @param {HTMLElement} list the page's ``#people``
   * @param {object} parts
   * @param {string} parts.user this browser's user
   * @param {() => HTMLElement} parts.changeName makes the button beside this person's own name
   * @param {() => boolean} parts.mayRemove whether this person may remove the others (an owner)
   * @param {(person: Person) => void} parts.remove removes someone from the board
   * @param {import("./follow.js").Follow} parts.follow
   */
  constructor(list, { user, changeName, mayRemove, remove, follow }) {
    this.list = list;
    this.user = user;
    this.changeName = changeName;
    this.mayRemove = mayRemove;
    this.remove = remove;
    this.follow = follow;
    follow.addEventListener("change", () => this.render());
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
    if (person.peer === this.follow.me) item.append(dot, name, this.changeName());
    else this._followable(item, person, dot, name);
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

  /**
   * Someone else's entry: their name is the button that follows their view; the one followed
   * says so, with a button to stop, and one who follows this person says that.
   * @param {HTMLElement} item @param {Person} person @param {HTMLElement} dot @param {HTMLElement} name
   */
  _followable(item, person, dot, name) {
    const followed = person.peer === this.follow.following;
    const button = document.createElement("button");
    button.className = "follow";
    button.title = followed ? `Stop following ${person.name}` : `Follow ${person.name}'s view`;
    button.setAttribute("aria-pressed", String(followed));
    button.append(dot, name);
    button.addEventListener("click", () => (followed ? this.follow.stop() : this.follow.start(person.peer)));
    item.append(button);
    if (followed) {
      item.classList.add("followed");
      const stop = document.createElement("button");
      stop.className = "unfollow";
      stop.title = `Stop following ${person.name}`;
      stop.textContent = "Stop";
      stop.addEventListener("click", () => this.follow.stop());
      item.append(note("following"), stop);
    } else if (this.follow.followers.has(person.peer)) {
      item.append(note("follows you"));
    }
  }
}

/** @param {string} text */
function note(text) {
  const span = document.createElement("span");
  span.className = "following-note";
  span.textContent = text;
  return span;
}
