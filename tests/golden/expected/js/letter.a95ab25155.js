/* Fireside: send the letter form in place. Progressive enhancement only: without this
   script (or without fetch) the form posts as usual and the receiver answers with the
   thank-you page. Results are announced in the form's aria-live region; on any error the
   reader's text stays where it is, and the fields at fault are marked invalid and described
   by the message (heard again when focused). Only text is ever inserted, never HTML.

   The reader is told only what is known: a letter is "sent" when the letterbox said so.
   Each letter carries a key made when the reader starts writing it; the letterbox keeps
   the keys, so sending the same letter again after no answer came can never store it
   twice. When no answer comes, the letter stays in the form and, where the page offers
   one (data-mailto), a link sends the same letter by email instead. */
(function () {
  "use strict";
  var form = document.querySelector("form.reply-form");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var status = form.querySelector(".reply-status");
  var button = form.querySelector("button[type=submit]");
  if (!status) {
    status = document.createElement("p");
    status.className = "reply-status";
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);
  }
  if (!status.id) {
    status.id = "reply-status";
  }
  var marked = [];
  var mailto = form.getAttribute("data-mailto");
  var mailFooter = form.getAttribute("data-mail-footer") || "";

  // The letter's key: made when the reader starts writing, kept until the letterbox has it.
  function keyInput() {
    var input = form.elements.namedItem("key");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "key";
      form.appendChild(input);
    }
    return input;
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function ensureKey() {
    var input = keyInput();
    if (!input.value) {
      input.value = newKey();
    }
  }

  form.addEventListener("input", ensureKey);

  function mark(input) {
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    input.setAttribute("aria-invalid", "true");
    if (described.indexOf(status.id) < 0) {
      input.setAttribute("aria-describedby", described.concat(status.id).join(" "));
    }
    marked.push(input);
  }

  function unmark() {
    marked.forEach(function (input) {
      var rest = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== status.id;
      });
      input.removeAttribute("aria-invalid");
      if (rest.length) {
        input.setAttribute("aria-describedby", rest.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
    });
    marked = [];
  }

  function fieldNamed(name) {
    var found = name ? form.elements.namedItem(name) : null;
    return found && found.type !== "hidden" && typeof found.focus === "function" ? found : null;
  }

  function say(text, state) {
    status.textContent = text;
    status.className = "reply-status" + (state ? " is-" + state : "");
  }

  // The same letter as an email to the author: the text typed, the post, the consent chosen.
  function emailLink() {
    if (!mailto) {
      return null;
    }
    var message = (form.elements.namedItem("message") || {}).value || "";
    var chosen = form.querySelector("input[name=consent]:checked");
    var label = chosen && chosen.labels && chosen.labels[0] ? chosen.labels[0].textContent.trim() : "";
    var body = message.replace(/\s+$/, "") + "\n\n" + mailFooter + (label ? "\n" + label : "") + "\n";
    var link = document.createElement("a");
    link.href = mailto + "&body=" + encodeURIComponent(body.replace(/\r?\n/g, "\r\n"));
    link.className = "reply-mailto";
    link.textContent = "Send it by email instead";
    return link;
  }

  function unconfirmed(what) {
    var link = emailLink();
    say(what + " Your letter is still here. Sending it again is safe (it can’t arrive twice)" +
      (link ? ", or:" : "; please try again in a little while."), "error");
    if (link) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }
  }

  function busy(on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (button) {
      button.disabled = on;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ensureKey();
    var data = new URLSearchParams(new FormData(form));
    // How long the page was open: people read before they write; bots post at once.
    data.set("elapsed_ms", String(Math.round(window.performance ? performance.now() : 0)));
    busy(true);
    unmark();
    say("Sending your letter…", "sending");
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(
          function (answer) { return { response: response, answer: answer }; },
          function () { return { response: response, answer: null }; }
        );
      })
      .then(function (result) {
        busy(false);
        var answer = result.answer;
        if (result.response.ok && answer && answer.ok) {
          form.reset();
          keyInput().value = "";  // the next letter is another letter
          say(answer.message || "Thank you. Your letter reached me.", "sent");
          return;
        }
        if (!answer || !answer.error) {
          // Not the letterbox's own answer (a proxy's error page, a wrong address): whether
          // the letter arrived is not known, so the reader is not told it didn't.
          unconfirmed("The letterbox didn’t confirm your letter (it answered " + result.response.status + ").");
          return;
        }
        say(answer.error + " Your letter is still here.", "error");
        var link = result.response.status >= 500 || result.response.status === 403 ? emailLink() : null;
        if (link) {
          status.appendChild(document.createTextNode(" You can also "));
          link.textContent = "send it by email";
          status.appendChild(link);
          status.appendChild(document.createTextNode("."));
        }
        var names = answer && Array.isArray(answer.errors) ? answer.errors.map(function (e) { return e.field; }) : [];
        names.concat(answer && answer.field ? [answer.field] : []).forEach(function (name) {
          var at = fieldNamed(name);
          if (at && marked.indexOf(at) < 0) {
            mark(at);
          }
        });
        var first = fieldNamed(answer && answer.field);
        if (first) {
          first.focus();
        }
      })
      .catch(function () {
        busy(false);
        unconfirmed("No answer came from the letterbox (it may be down, or your connection may have dropped).");
      });
  });
})();
