"""The "Send to FitMyCV" bookmarklet: a `javascript:` link the user drags to the bookmarks bar.

Clicked on a job page, it runs in that page (so our CSP does not apply there, the page's own may
refuse it) and posts, to a new tab of our site, a form with the user's token, the page's address
and title, and its text: the selection if there is one, else the page's main text. Posting a form
rather than calling fetch() keeps the page from reading anything back: no CORS, the new tab is
opened without an opener, and the answer is a page of our site (the new offer, or why not).
"""

from __future__ import annotations

import json
from urllib.parse import quote

# What one offer may hold (joboffers.services.MAX_TEXT_CHARS; a test holds them equal): the
# bookmarklet cuts longer texts itself, so a long page still sends its first 60,000 characters.
BOOKMARKLET_MAX_CHARS = 60_000
BOOKMARKLET_MAX_URL = 2000
BOOKMARKLET_MAX_TITLE = 300
# Left as they are in the link; everything else (quotes, spaces, <, %) is percent-encoded.
URL_SAFE_CHARACTERS = "!'()*,;=:/?[]{}.~_-&|+"

# The page's main text: a job posting's microdata, else <main>, else an <article>, else the
# whole body; an element with hardly any text (an empty <main> shell) is passed over.
_SCRIPT = """(function(){
var d=document,s=String(window.getSelection?getSelection():'').trim(),
q=['[itemtype*="JobPosting"]','main','[role="main"]','article'],m=null,i,e,f,v;
for(i=0;i<q.length&&!m;i++){e=d.querySelector(q[i]);if(e&&(e.innerText||'').trim().length>=200)m=e;}
m=m||d.body;
v={token:@TOKEN@,url:location.href.slice(0,@MAX_URL@),title:String(d.title||'').slice(0,@MAX_TITLE@),
selection:s.slice(0,@MAX_CHARS@),text:s?'':String((m&&m.innerText)||'').trim().slice(0,@MAX_CHARS@)};
f=d.createElement('form');f.method='post';f.action=@ACTION@;f.target='_blank';f.rel='noopener';
f.acceptCharset='UTF-8';f.hidden=true;
Object.keys(v).forEach(function(k){e=d.createElement('textarea');e.name=k;e.value=v[k];f.appendChild(e);});
(d.body||d.documentElement).appendChild(f);f.submit();f.remove();
})()"""


def bookmarklet_script(token: str, *, action: str) -> str:
    """The bookmarklet's JavaScript, posting to `action` (an absolute URL of our site)."""
    script = "".join(line.strip() for line in _SCRIPT.splitlines())
    # The token and the address go in last, as JSON strings: nothing in them is replaced again.
    for name, value in (
        ("@MAX_CHARS@", str(BOOKMARKLET_MAX_CHARS)),
        ("@MAX_URL@", str(BOOKMARKLET_MAX_URL)),
        ("@MAX_TITLE@", str(BOOKMARKLET_MAX_TITLE)),
        ("@ACTION@", json.dumps(action)),
        ("@TOKEN@", json.dumps(token)),
    ):
        script = script.replace(name, value)
    return script


def bookmarklet_href(token: str, *, action: str) -> str:
    """The link to drag: `javascript:` and the script, percent-encoded (browsers decode a
    bookmarklet's URL before running it, so a literal % or space would break it)."""
    script = bookmarklet_script(token, action=action)
    return "javascript:" + quote(script, safe=URL_SAFE_CHARACTERS)
