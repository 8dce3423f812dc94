/*
 * "Was this page helpful?": the answer goes to this help center's own /api/feedback as
 *   POST /api/feedback  {"page": "/actions/cancel-order/", "helpful": 1|0, "comment": "..."}
 * and nowhere else. A "yes" is sent at once; a "no" offers a comment box first and is sent when
 * the agent presses Send, or without a comment when they leave the page.
 */

/* Called by the theme once this script is loaded (see the custom analytics partial). */
function __md_analytics() {
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof document$ !== "undefined") {
      document$.subscribe(setUpFeedback)
    } else {
      setUpFeedback()
    }
  })
}

var FEEDBACK_URL = "/api/feedback"

function setUpFeedback() {
  var form = document.forms.feedback
  if (form === undefined || form.dataset.ready) {
    return
  }
  form.dataset.ready = "1"
  var buttons = form.querySelectorAll("[type=submit]")
  var pending = null

  function send(answer, note) {
    pending = null
    return fetch(FEEDBACK_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      keepalive: true,
      body: JSON.stringify(answer),
    }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(response.status)
        }
      },
    ).catch(function () {
      if (note) {
        note.textContent = "Your answer could not be saved. Please try again later."
      }
    })
  }

  function askForComment(answer, note) {
    var box = document.createElement("textarea")
    box.className = "md-feedback__comment"
    box.rows = 3
    box.maxLength = 2000
    box.setAttribute("aria-label", "What was missing or wrong? (optional)")
    box.placeholder = "What was missing or wrong? (optional)"
    var submit = document.createElement("button")
    submit.type = "button"
    submit.className = "md-button md-feedback__send"
    submit.textContent = "Send"
    submit.addEventListener("click", function () {
      var comment = box.value.trim()
      if (comment) {
        answer.comment = comment
      }
      box.remove()
      submit.remove()
      send(answer, note)
    })
    note.append(box, submit)
    box.focus()
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault()
      var value = this.getAttribute("data-md-value")
      // The buttons, not the whole fieldset, are disabled: the comment box must stay usable.
      buttons.forEach(function (each) {
        each.disabled = true
      })
      form.classList.add("md-feedback--answered")
      var note = form.querySelector(".md-feedback__note [data-md-value='" + value + "']")
      if (note) {
        note.hidden = false
      }
      var answer = { page: document.location.pathname, helpful: value === "1" ? 1 : 0 }
      if (answer.helpful === 0 && note) {
        pending = answer
        askForComment(answer, note)
      } else {
        send(answer, note)
      }
    })
  })

  // A "no" without a comment still counts when the agent moves on.
  window.addEventListener("pagehide", function () {
    if (pending !== null) {
      send(pending, null)
    }
  })

  form.hidden = false
}
