/*
 * The customer web chat page: Microsoft's Web Chat on this service's own Direct Line endpoint.
 *
 * A reload resumes the conversation: its id and token are kept in sessionStorage (this tab only, gone when it closes),
 * the token is refreshed before use, and the conversation is reopened from its start, so the transcript the reload
 * wiped from memory comes back in full; within the page, Web Chat reconnects a dropped stream from its watermark.
 * Every string shown comes from the server (locales/<locale>/chat.json), and every one is set as text, never as HTML.
 */
(function () {
  'use strict';

  var STORAGE_KEY = 'retention.webchat.conversation';
  var LOCALE_KEY = 'retention.webchat.locale';
  var DOMAIN = location.origin + '/v3/directline';
  // Online, as botframework-directlinejs numbers its connection states.
  var ONLINE = 2;
  var FAILED = 4;

  var app = document.getElementById('app');
  var config = JSON.parse(app.getAttribute('data-config'));
  var statusEl = document.getElementById('status');
  var titleEl = document.getElementById('title');
  var newChatEl = document.getElementById('new-chat');
  var langButtons = Array.prototype.slice.call(document.querySelectorAll('#lang button'));
  var container = document.getElementById('webchat');

  var locale = readLocale();
  var store = window.WebChat.createStore();
  var directLine;
  // Set once the customer chose a new chat: from then on nothing of this conversation is saved for a reload.
  var ending = false;
  var keepTimer;

  function texts() {
    return config.strings[locale];
  }

  function readLocale() {
    var saved = read(LOCALE_KEY);
    return config.locales.indexOf(saved) >= 0 ? saved : config.locale;
  }

  function read(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function write(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) {
      // Storage refused (private mode, a sandboxed frame): the chat works, a reload starts afresh.
    }
  }

  function saved() {
    try {
      var value = JSON.parse(read(STORAGE_KEY) || 'null');
      return value && typeof value.conversationId === 'string' && typeof value.token === 'string' ? value : null;
    } catch (e) {
      return null;
    }
  }

  function remember(started) {
    if (ending || !directLine || !directLine.conversationId || !directLine.token) return;
    write(STORAGE_KEY, JSON.stringify({ conversationId: directLine.conversationId, token: directLine.token, started: started }));
  }

  function showStatus(text) {
    statusEl.textContent = text || '';
    statusEl.hidden = !text;
  }

  function postJson(url, body, token) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}), credentials: 'omit' }).then(function (res) {
      if (res.ok) return res.json();
      // The service explains a refusal it can name (too many new chats: 429) in the customer's language.
      return res.json().then(
        function (answer) {
          var error = new Error('HTTP ' + res.status);
          if (res.status === 429 && answer && answer.error && typeof answer.error.message === 'string') error.explained = answer.error.message;
          throw error;
        },
        function () {
          throw new Error('HTTP ' + res.status);
        },
      );
    });
  }

  /** A token for the conversation kept from before the reload (refreshed), or for a new one. */
  function obtainConnection() {
    var kept = saved();
    var resume = kept
      ? postJson(DOMAIN + '/tokens/refresh', {}, kept.token).then(
          function (body) {
            return { token: body.token, conversationId: kept.conversationId, resumed: kept.started === true };
          },
          function () {
            write(STORAGE_KEY, null);
            return null;
          },
        )
      : Promise.resolve(null);
    return resume.then(function (connection) {
      if (connection) return connection;
      var params = new URLSearchParams(location.search);
      var customerToken = params.get('ct');
      if (customerToken) {
        // The signed customer token has done its work once exchanged: keep it out of the address bar and history.
        params.delete('ct');
        var query = params.toString();
        history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
      }
      return postJson('/chat/token', { customerToken: customerToken || undefined, locale: locale }).then(function (body) {
        return { token: body.token, conversationId: body.conversationId, resumed: false };
      });
    });
  }

  function styleOptions(t) {
    return {
      accent: '#07c160',
      backgroundColor: '#ededed',
      primaryFont: getComputedStyle(document.body).fontFamily,
      rootHeight: '100%',
      rootWidth: '100%',
      avatarSize: 36,
      avatarBorderRadius: 6,
      botAvatarInitials: t.botInitials,
      botAvatarBackgroundColor: '#07c160',
      userAvatarInitials: t.userInitials,
      userAvatarBackgroundColor: '#576b95',
      bubbleBackground: '#ffffff',
      bubbleBorderWidth: 0,
      bubbleBorderRadius: 8,
      bubbleNubSize: 6,
      bubbleNubOffset: 12,
      bubbleTextColor: '#111111',
      bubbleFromUserBackground: '#95ec69',
      bubbleFromUserBorderWidth: 0,
      bubbleFromUserBorderRadius: 8,
      bubbleFromUserNubSize: 6,
      bubbleFromUserNubOffset: 12,
      bubbleFromUserTextColor: '#111111',
      showAvatarInGroup: 'status',
      groupTimestamp: 300000,
      timestampColor: '#999999',
      sendBoxBackground: '#f7f7f7',
      sendBoxButtonColor: '#07c160',
      sendBoxHeight: 52,
      hideUploadButton: true,
      suggestedActionLayout: 'flow',
      suggestedActionBackgroundColor: '#ffffff',
      suggestedActionBorderColor: '#07c160',
      suggestedActionBorderRadius: 16,
      suggestedActionTextColor: '#07c160',
      suggestedActionHeight: 32,
    };
  }

  function render() {
    var t = texts();
    document.documentElement.lang = locale;
    document.title = t.pageTitle;
    titleEl.textContent = t.pageTitle;
    newChatEl.textContent = t.newChat;
    langButtons.forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-locale') === locale));
    });
    if (!directLine) return;
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: store,
        locale: locale,
        nonce: config.nonce,
        styleOptions: styleOptions(t),
        overrideLocalizedStrings: { TEXT_INPUT_PLACEHOLDER: t.inputPlaceholder },
        sendTypingIndicator: false,
      },
      container,
    );
  }

  function connect() {
    obtainConnection().then(
      function (connection) {
        var options = { token: connection.token, domain: DOMAIN, webSocket: true, conversationStartProperties: { locale: locale } };
        // Resuming: reopen the same conversation (no watermark: the reload emptied the transcript, so all of it comes
        // back). A new one is started by Web Chat, which tells the bot the customer joined (the welcome).
        if (connection.resumed) options.conversationId = connection.conversationId;
        directLine = window.WebChat.createDirectLine(options);
        directLine.connectionStatus$.subscribe(function (status) {
          if (status === ONLINE) {
            showStatus('');
            remember(true);
          } else if (status === FAILED) {
            showStatus(texts().connectFailed);
          }
        });
        render();
        // Web Chat refreshes the token every quarter of an hour; keep the latest for the next reload.
        keepTimer = setInterval(function () {
          remember(true);
        }, 30000);
        window.addEventListener('pagehide', function () {
          remember(true);
        });
      },
      function (err) {
        showStatus((err && err.explained) || texts().connectFailed);
      },
    );
  }

  langButtons.forEach(function (button) {
    button.addEventListener('click', function () {
      var chosen = button.getAttribute('data-locale');
      if (config.locales.indexOf(chosen) < 0 || chosen === locale) return;
      locale = chosen;
      write(LOCALE_KEY, locale);
      render();
    });
  });

  /**
   * A new chat ends this one for good (a shared phone, a branch tablet): the service is told, so the conversation, its
   * log and the verification made in it are gone and its token opens nothing; nothing of it is kept for a reload (saved
   * again while the page unloads, it would come back to the next person, balance and all).
   */
  newChatEl.addEventListener('click', function () {
    if (!window.confirm(texts().newChatConfirm)) return;
    ending = true;
    clearInterval(keepTimer);
    write(STORAGE_KEY, null);
    var conversationId = directLine && directLine.conversationId;
    var token = directLine && directLine.token;
    var told =
      conversationId && token
        ? postJson(DOMAIN + '/conversations/' + encodeURIComponent(conversationId) + '/activities', { type: 'endOfConversation' }, token).catch(function () {
            // Unreachable now: the conversation is forgotten here all the same, and the service deletes it when idle.
          })
        : Promise.resolve();
    told.then(function () {
      if (directLine) directLine.end();
      write(STORAGE_KEY, null);
      location.reload();
    });
  });

  render();
  connect();
})();
