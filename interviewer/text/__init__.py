"""Text at the bottom of the layers (nothing of ours imported): untrusted text made safe to show,
and the one way of splitting text into words.

sanitize.py  terminal safety: escape sequences, controls and invisible characters out of
             anything untrusted before it is shown or written to a file someone will `cat`
markdown.py  untrusted text escaped for the Markdown we write (Feedback screen, Markdown report)
words.py     the one word tokeniser and stopword list (grading, giveaway and canary checks, the
             bank importer)
terms.py     the one rule for how a bank's concept terms match text (the bank checker validates
             with it, the offline grader's lexicon matches with it)
"""
