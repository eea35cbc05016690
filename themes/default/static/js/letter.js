/* Fireside: send the letter form in place. Progressive enhancement only: without this
   script (or without fetch) the form posts as usual and the receiver answers with the
   thank-you page. Results are announced in the form's aria-live region; on any error the
   reader's text stays where it is, and the fields at fault are marked invalid and described
   by the message (heard again when focused). Only text is ever inserted, never HTML. */
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

  function busy(on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (button) {
      button.disabled = on;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
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
          say(answer.message || "Thank you. Your letter reached me.", "sent");
          return;
        }
        var text = answer && answer.error
          ? answer.error
          : "Your letter couldn’t be sent (the letterbox answered " + result.response.status + ").";
        say(text + " Your letter is still here.", "error");
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
        say("Your letter couldn’t be sent: the letterbox can’t be reached. Your letter is still here; please try again in a moment.", "error");
      });
  });
})();
