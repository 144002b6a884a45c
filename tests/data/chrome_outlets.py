"""Page chrome of eight invented news sites, written for the chrome evaluation.

Every line here was written for this project, phrased as real sites phrase their
furniture: cookie banners, newsletter and app pitches, paywall prompts, share bars,
bylines, timestamps, photo credits, related links, comment counters. Each outlet has
its own wording, so that rules tuned on some outlets can be scored on the others
(tests/benchmarks/eval_chrome.py). The outlets were all written before any rule was tuned;
TUNING and HELD_OUT split them in the order written, not by how well they score.

Slots: {author}, {date}, {time}, {n}, {headline}, {caption}, {place}. A line with
{headline} or {caption} varies from page to page; the others are the site's template.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutletChrome:
    name: str
    head: tuple[str, ...]  # above the article: masthead, navigation, cookie notice, kicker
    byline: tuple[str, ...]  # right above the first paragraph: author, date, reading time
    inline: tuple[str, ...]  # between paragraphs: ads, newsletter, app, paywall pitches
    link: tuple[str, ...]  # between paragraphs: a link to another story ({headline})
    photo: tuple[str, ...]  # a caption line and/or its credit ({caption})
    tail: tuple[str, ...]  # below the article: share bar, tags, comment form, footer
    related: tuple[str, ...] = ()  # a heading that a list of {headline} lines follows


OUTLETS: tuple[OutletChrome, ...] = (
    OutletChrome(
        name="Harbourline Times",
        head=(
            "Skip to main content",
            "Menu",
            "Search",
            "We use cookies to give you the best experience on our website. By continuing,"
            " you agree to our use of cookies.",
            "Accept all cookies",
            "Manage preferences",
            "World",
        ),
        byline=(
            "By {author}",
            "Published {date} at {time}",
            "5 min read",
        ),
        inline=(
            "Advertisement",
            "Sign up to The Morning Tide, our free daily newsletter",
            "Enter your email address",
            "Sign up",
            "By signing up you agree to our Terms of Service and Privacy Policy.",
        ),
        link=("Read more: {headline}",),
        photo=("{caption} (Photo: Reuters/{author})",),
        tail=(
            "Share this article",
            "Facebook",
            "Twitter",
            "Email",
            "Copy link",
            "Topics",
            "{n} comments",
            "© 2026 Harbourline Times. All rights reserved.",
        ),
        related=("Related stories",),
    ),
    OutletChrome(
        name="The Dalewick Standard",
        head=(
            "This website uses cookies",
            "We and our partners use cookies and similar technologies to personalise content"
            " and ads and to analyse our traffic.",
            "Accept",
            "Reject",
            "Home | News | Politics | Business | Sport | Opinion",
            "Politics",
        ),
        byline=(
            "{author}, Political Correspondent",
            "{date}, {time}",
            "Updated {date}",
        ),
        inline=(
            "ADVERTISEMENT",
            "Get the news that matters straight to your inbox",
            "Sign up for our newsletter",
            "Download our app for breaking news alerts",
        ),
        link=("RELATED: {headline}", "Also read | {headline}"),
        photo=("{caption}", "Image: Getty Images"),
        tail=(
            "Share on Facebook",
            "Share on X",
            "Share via Email",
            "Print this page",
            "Most read",
            "Comments ({n})",
            "Be the first to comment",
            "Terms of use | Privacy | Contact us",
        ),
        related=("More on this story",),
    ),
    OutletChrome(
        name="Ostmark Courier",
        head=(
            "Breaking News",
            "Subscribe for $1 a week",
            "Log in",
            "Today's paper",
            "Europe",
        ),
        byline=(
            "Written by {author}",
            "{date}",
            "Reading time: 4 minutes",
        ),
        inline=(
            "Story continues below",
            "You have 3 free articles left this month.",
            "Subscribe to continue reading",
            "Already a subscriber? Sign in",
            "Sponsored",
        ),
        link=("READ ALSO: {headline}", "► {headline}"),
        photo=("{caption} | Photo: AFP", "{caption} Photo: EPA-EFE/{author}"),
        tail=(
            "Tags:",
            "Diplomacy, Europe, Politics",
            "Was this article helpful?",
            "Yes",
            "No",
            "{n} Comments",
            "Add a comment",
            "Our comment policy",
        ),
        related=("You might also like",),
    ),
    OutletChrome(
        name="Pinecrest Daily",
        head=(
            "Toggle navigation",
            "Sign In | Register",
            "Live",
            "Latest",
            "Accept cookies to continue",
        ),
        byline=(
            "BY {author} | {date}",
            "Last updated: {time}",
        ),
        inline=(
            "Continue reading below",
            "Want more stories like this? Join our newsletter.",
            "Advertisement - scroll to continue",
            "Get our app",
            "Available on the App Store and Google Play",
        ),
        link=("SEE ALSO: {headline}", "Read next: {headline}"),
        photo=("{caption} (AP Photo/{author})", "{caption} Picture: Shutterstock"),
        tail=(
            "Share",
            "Tweet",
            "WhatsApp",
            "LinkedIn",
            "Follow us on Facebook and Twitter for the latest news",
            "{n} responses",
            "Leave a comment",
            "Cancel reply",
        ),
        related=("Recommended",),
    ),
    # ---- held out: never used to tune a rule, pattern or threshold ---------------------
    OutletChrome(
        name="Northgate Ledger",
        head=(
            "Jump to content",
            "Main navigation",
            "We value your privacy",
            "We use cookies and other tracking technologies to improve your browsing"
            " experience and to show you personalised adverts.",
            "I agree",
            "More options",
            "Diplomacy & Defence",
        ),
        byline=(
            "Story by {author}",
            "Posted {date} {time}",
        ),
        inline=(
            "Article continues after this ad",
            "Don't miss a story — get our daily briefing in your inbox every morning",
            "Subscribe to our daily briefing",
            "Promoted content",
        ),
        link=("MORE: {headline}", "Also on Northgate Ledger: {headline}"),
        photo=("{caption} [Photo: Reuters]", "Photograph: {author}/AFP via Getty Images"),
        tail=(
            "Share article",
            "Share via WhatsApp",
            "Share on LinkedIn",
            "Topics: Diplomacy, International relations",
            "View {n} comments",
            "Report an error",
            "About us · Advertise · Careers",
        ),
        related=("Further reading",),
    ),
    OutletChrome(
        name="The Amberfield Post",
        head=(
            "Your privacy choices",
            "This site uses cookies to analyse traffic and remember your preferences."
            " You can change your settings at any time.",
            "OK, got it",
            "E-paper",
            "Subscribe today",
            "World News",
        ),
        byline=(
            "{author} | The Amberfield Post",
            "{date} | {time}",
            "Listen to this article",
        ),
        inline=(
            "Advertisement · Scroll to continue",
            "Enjoying this article? Subscribe for unlimited access.",
            "Become a member today",
            "Install the Amberfield Post app for faster access to the news you care about",
        ),
        link=("Related: {headline}", "Don't miss: {headline}"),
        photo=("{caption} (Credit: Getty)", "{caption} | Image credit: Reuters"),
        tail=(
            "Share this story",
            "Facebook Twitter Email",
            "Have your say",
            "Join the conversation",
            "{n} comments",
            "Copyright © 2026 The Amberfield Post",
        ),
        related=("Read more",),
    ),
    OutletChrome(
        name="Vantor Monitor",
        head=(
            "Vantor Monitor — Independent journalism since 1998",
            "Sign in",
            "Subscribe",
            "This website uses cookies. Learn more about how we use them in our cookie policy.",
            "Got it!",
            "Analysis",
        ),
        byline=(
            "Words by {author}",
            "{time} GMT, {date}",
            "3 minute read",
        ),
        inline=(
            "Sponsored content",
            "This article is for subscribers only.",
            "Unlock this article for free by creating an account",
            "Already have an account? Log in",
            "Get breaking news on your phone: download the Vantor Monitor app",
        ),
        link=("Read: {headline}", "Watch: {headline}"),
        photo=("{caption}", "Photo credit: AP"),
        tail=(
            "Follow Vantor Monitor on Instagram",
            "Share:",
            "Posted in World",
            "Tagged diplomacy, summit, talks",
            "{n} thoughts on this story",
            "Comments are closed.",
        ),
        related=("Related posts",),
    ),
    OutletChrome(
        name="Lowmoor Observer",
        head=(
            "Top stories",
            "Newsletters",
            "Podcasts",
            "By clicking Accept, you consent to the storing of cookies on your device.",
            "Accept",
            "Cookie settings",
            "International",
        ),
        byline=(
            "by {author}",
            "First published on {date}",
            "Modified {date} {time}",
        ),
        inline=(
            "— Advertisement —",
            "Like what you're reading? Get the Observer Weekly delivered free to your inbox.",
            "No spam. Unsubscribe at any time.",
            "Support independent journalism: donate today",
        ),
        link=("Read more | {headline}", "See also: {headline}"),
        photo=("{caption} Photo by {author}/Reuters", "Picture: AFP"),
        tail=(
            "Share this:",
            "Click to share on Twitter (Opens in new window)",
            "Click to share on Facebook (Opens in new window)",
            "Like this:",
            "Like Loading...",
            "{n} Replies",
            "Log in to reply",
        ),
        related=("Related Content",),
    ),
)

TUNING: tuple[OutletChrome, ...] = OUTLETS[:4]
HELD_OUT: tuple[OutletChrome, ...] = OUTLETS[4:]

# Slot fillers: invented people, and dates and times in the many ways sites print them.
AUTHORS: tuple[str, ...] = (
    "Mira Castellan",
    "Jonah Ruelle",
    "Priya Anand-Holt",
    "Tobias Wren",
    "Leila Haddou",
    "Oskar Lindqvist",
    "Amara Nwosu",
    "Felix Dorner",
)
DATES: tuple[str, ...] = (
    "March 3, 2026",
    "Tuesday 14 April 2026",
    "2026-02-09",
    "Sep 21, 2026",
    "12/05/2026",
    "1 June 2026",
)
TIMES: tuple[str, ...] = ("14:32", "9:05 am", "08:47 BST", "6:15 PM ET", "23:10")
PLACES: tuple[str, ...] = ("Geneva", "Nairobi", "Brussels", "Jakarta")
