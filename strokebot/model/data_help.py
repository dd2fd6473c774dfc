"""What ``strokebot train --kind strokes --data`` takes (no imports: the CLI's help reads it)."""

#: What ``--data`` names for the stroke model, and what each gives.
DATA_HELP = """\
  kanjivg[:COUNT]      KanjiVG's training split (its official strokes), drawn at 87-262 px with
                       random pens and distortions, COUNT characters (default all, ~6,000)
  letters[:COUNT]      KanjiVG's Latin letters and digits alone, each drawn again and again with random
                       scales, pens and distortions: COUNT glyphs (default 600); they teach the
                       sequencers only (order and direction, not KanjiVG's lift at every corner)
  latin[:COUNT]        the same letters and digits as a Latin hand draws them: strokes that KanjiVG
                       lifts between at a corner joined (a V, W, L or Z in one stroke); they teach
                       every net
  omniglot             the training split of the people-drawn Omniglot glyphs, with their pen paths
  hershey[:COUNT]      Hershey single-stroke font glyphs (Latin, Greek, kana), 64-256 px
  words[:COUNT]        words set in Hershey's script font as joined-up writing
  shapes[:COUNT]       lines, circles, squares, spirals, zigzags and waves, one stroke each"""
