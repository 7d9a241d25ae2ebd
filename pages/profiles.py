"""Profiles: one official, country or organisation: roles over time, visits made and hosted,
meetings, counterparts, topics and quotes, each with its sources."""
from __future__ import annotations

import streamlit as st

from analysis.views import charts, safe
from pages import _common as c

st.title("Profiles")
db = c.require_db()
f = c.page_filters()
c.filter_caption(f)

KINDS = {"person": "Official", "country": "Country", "organization": "Organisation"}
_kind_in_url = str(st.query_params.get("entity", "")).split(":", 1)[0]
if "profile_kind" not in st.session_state and _kind_in_url in KINDS:
    st.session_state["profile_kind"] = _kind_in_url
sc = st.columns([1, 2, 3])
kind = sc[0].radio("Kind", list(KINDS), format_func=KINDS.get, key="profile_kind")
search = sc[1].text_input("Name contains", key="profile_search", max_chars=100)
ents = c.entities((kind,), search or None, 300)

# The profile shown is kept in the URL as the entity's stable key (?entity=person:mohammad-sadiq).
if "profile_pick" not in st.session_state and st.query_params.get("entity"):
    wanted_id = c.entity_id(str(st.query_params.get("entity"))[:300])
    if wanted_id is not None:
        st.session_state["profile_pick"] = wanted_id
names = {int(r.id): f"{r.name} ({r.country})" if isinstance(r.country, str) else str(r.name)
         for r in ents.itertuples()}
current = st.session_state.get("profile_pick")
if current is not None and current not in names:
    names[current] = f"entity #{current}"
chosen = sc[2].selectbox("Profile", list(names), index=None, key="profile_pick",
                         format_func=lambda i: names.get(i, str(i))[:120],
                         placeholder=f"choose one of {len(ents)} ({'filtered' if search else 'most active first'})")
if chosen is None:
    st.caption("Choose an entity to see its profile. The most active come first.")
    c.table(ents[["name", "kind", "country", "events", "mentions"]], key="profiles_list",
            file_name=f"{kind}-entities.csv")
    st.stop()

p = c.profile(int(chosen), f)
if p is None:
    st.warning("That entity is no longer in the store (merged or removed).")
    st.stop()
e = p["entity"]
c.set_url_param("entity", e["key"])
st.header(safe.escape_markdown(e["name"]))
c.text(f"{KINDS.get(e['kind'], e['kind'])}" + (f" · {e['country']}" if e["country"] else ""),
       caption=True)
if p["aliases"]:
    c.labelled("Also called", "; ".join(p["aliases"]), max_chars=500)
c.corrected_notice()
if e.get("curated"):
    c.text(f"✎ {e['curated']}", caption=True)
if e["kind"] != "country":
    with st.expander("Correct this entity", expanded=False):
        why = st.text_input("Why (kept in the curation log)", key="profile_fix_why", max_chars=500)
        same = {int(r.id): f"{r.name} ({r.key})" for r in ents.itertuples() if int(r.id) != int(chosen)}
        keys = {int(r.id): r.key for r in ents.itertuples()}
        other = st.selectbox(f"Merge another {KINDS.get(e['kind'], e['kind']).lower()} into {e['name']}"
                             " (one entity written two ways)", [None, *same], key="profile_fix_merge",
                             format_func=lambda i: "" if i is None else same[i][:150])
        if other is not None and st.button("Merge", key="profile_fix_merge_go"):
            if c.correct("merge-entities", e["key"], keys[other], why=why or None):
                st.rerun()
        f2 = st.columns([1, 1])
        code = f2[0].text_input("Set the country (ISO 3166 alpha-3, e.g. PAK)", key="profile_fix_country",
                                max_chars=3)
        if code and f2[0].button("Set country", key="profile_fix_country_go"):
            if c.correct("set-country", e["key"], code, why=why or None):
                st.rerun()
        alias = f2[1].selectbox("Split off a name form that is someone else", [None, *p["aliases"]],
                                key="profile_fix_alias", format_func=lambda a: "" if a is None else a[:100])
        if alias and f2[1].button("Split it off", key="profile_fix_alias_go"):
            if c.correct("split-alias", e["key"], alias, why=why or None):
                st.rerun()
        if e["kind"] == "person":
            with st.form("profile_fix_role", border=False):
                r = st.columns(4)
                role_title = r[0].text_input("Role title", max_chars=200, key="profile_fix_role_title")
                role_country = r[1].text_input("Country (ISO3)", max_chars=3, key="profile_fix_role_country")
                role_from = r[2].text_input("From (YYYY-MM-DD)", max_chars=10, key="profile_fix_role_from")
                role_to = r[3].text_input("To (YYYY-MM-DD)", max_chars=10, key="profile_fix_role_to")
                if st.form_submit_button("Add this role"):
                    if c.correct("set-role", e["key"], role_title, country=role_country or None,
                                 start=role_from or None, end=role_to or None, why=why or None):
                        st.rerun()
        if st.button(f"Not a {KINDS.get(e['kind'], e['kind']).lower()} at all: remove it (its mentions stay as text)",
                     key="profile_fix_reject"):
            if c.correct("reject-entity", e["key"], why=why or None):
                st.query_params.pop("entity", None)
                st.session_state.pop("profile_pick", None)
                st.rerun()

n = p["counts"]
m = st.columns(5)
m[0].metric("Visits made", n["visits_made"])
m[1].metric("Visits hosted", n["visits_hosted"])
m[2].metric("Meetings", n["meetings"])
m[3].metric("Counterparts", len(p["counterparts"]))
m[4].metric("Quotes", n["quotes"])


def newest_of(name: str) -> None:
    """Say when a list shows only the newest rows of more."""
    if n[name] > len(p[name]):
        st.caption(f"The newest {len(p[name])} of {n[name]}: the Visits page lists them all, with this "
                   f"{'country' if e['kind'] == 'country' else 'person'} in the sidebar filters.")

if e["kind"] != "country":
    st.subheader("Roles over time")
    c.plot(charts.roles_timeline(p["roles"]), key="profile_roles_chart")
    c.table(p["roles"], key="profile_roles", file_name="roles.csv")
    with st.expander(f"Sentences behind the roles ({n['role_sources']})"):
        if n["role_sources"] > len(p["role_sources"]):
            st.caption(f"The newest {len(p['role_sources'])} of {n['role_sources']}.")
        c.table(p["role_sources"], key="profile_role_sources", file_name="role-sources.csv")

# The open tab is kept in the address (?tab=Meetings), so a shared link opens on it.
tabs = st.tabs(["Visits made", "Visits hosted", "Meetings", "Counterparts", "Topics", "Quotes"], key="tab",
               bind="query-params")
cols = ["date", "status", "visitor_country", "destination_country", "place", "participants",
        "evidence", "title", "url"]
with tabs[0]:
    newest_of("visits_made")
    c.table(p["visits_made"][cols], key="profile_visits_made", file_name="visits-made.csv")
with tabs[1]:
    newest_of("visits_hosted")
    c.table(p["visits_hosted"][cols], key="profile_visits_hosted", file_name="visits-hosted.csv")
with tabs[2]:
    newest_of("meetings")
    c.table(p["meetings"][["date", "place", "participants", "evidence", "title", "url"]],
            key="profile_meetings", file_name="meetings.csv")
with tabs[3]:
    c.table(p["counterparts"], key="profile_counterparts", file_name="counterparts.csv")
with tabs[4]:
    c.plot(charts.ranked_bars(p["topics"].head(12), "label", "articles", None, ("share",)),
           key="profile_topics_chart")
    c.table(p["topics"], key="profile_topics", file_name="topics.csv",
            column_config={"share": st.column_config.NumberColumn(format="percent")})
with tabs[5]:
    newest_of("quotes")
    c.table(p["quotes"][["date", "quote", "evidence", "title", "url"]], key="profile_quotes",
            file_name="quotes.csv")
