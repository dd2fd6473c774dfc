"""strokebot.model.learn: training the stroke model; the numpy runner mirrors its torch nets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from tests_tolerance import assert_float32_close

from strokebot import datasets
from strokebot.model.checkpoint import read_model, write_model
from strokebot.model.examples import junction_examples, order_examples
from strokebot.model.inference import load_model
from strokebot.model.learn import ScoreNet, Sequencer, StrokeConfig, export_weights, train_strokes
from strokebot.model.order import FIRST_FEATURES, STROKE_FEATURES
from strokebot.model.parse import JUNCTION_FEATURES
from strokebot.model.strokes import StrokeModel, StrokeNets, expected_shapes

SMALL = StrokeConfig(junction_hidden=(16,), order_hidden=(16, 16), memory=8, sequencers=2)  # an ensemble, as the default model
BARE = dataclasses.replace(SMALL, excursion_hidden=(), stay_hidden=(), order_context="none")  # junction net and sequencer only


@pytest.fixture(scope="module")
def glyphs():
    return datasets.kanjivg_glyphs(characters=list("十口木目日")) + datasets.shape_glyphs(7, seed=3)


def test_examples_are_labelled_pairs_and_steps(glyphs):
    junctions = junction_examples(glyphs)
    assert junctions.features.shape == (len(junctions.labels), len(JUNCTION_FEATURES))
    assert 0.1 < junctions.labels.mean() < 0.9  # some pairs pass through, some do not
    steps = order_examples(glyphs, None)
    assert len(steps) == len(glyphs)
    for glyph in steps.glyphs:
        for features, choice in glyph:
            assert features.shape[1] == len(STROKE_FEATURES) and 0 <= choice < len(features)
        assert [len(f) for f, _ in glyph] == sorted((len(f) for f, _ in glyph), reverse=True)  # one stroke fewer each step


def test_examples_in_worker_processes_equal_one_process(glyphs):
    many = glyphs * 6  # enough for the chunks to go to workers
    one, two = junction_examples(many, workers=1), junction_examples(many, workers=2)
    np.testing.assert_array_equal(one.labels, two.labels)
    np.testing.assert_array_equal(one.features, two.features)


def test_a_tiny_training_run_gives_a_model_file_that_traces(glyphs, tmp_path):
    config, weights = train_strokes(glyphs, SMALL, junction_epochs=2, order_epochs=2, log=lambda _: None)
    assert set(weights) == set(expected_shapes(config))
    write_model(tmp_path / "tiny.npz", config, weights, {"model_version": "test"})
    model = load_model(tmp_path / "tiny.npz")
    assert isinstance(model, StrokeModel) and model.name == "strokebot test"
    ink = datasets.kanjivg_glyphs(characters=["十"])[0].image
    strokes = model.draw(ink)
    assert 1 <= len(strokes) <= 4 and all(np.isfinite(s.points).all() for s in strokes)


def test_watching_a_sequencer_learn_leaves_its_training_as_it_is(glyphs):
    from strokebot.model.learn import _fit_sequencer, _order_batch, _order_loss

    steps = order_examples(glyphs, None)
    seen = []

    def watch(epoch: int, sequencer: Sequencer) -> None:  # as unseen_alphabets.py --curve: a loss on other glyphs
        with torch.no_grad():
            loss, _ = _order_loss(sequencer, _order_batch(steps.glyphs[:4]))
        seen.append((epoch, sequencer.training, bool(torch.isfinite(loss))))

    quiet = _fit_sequencer(steps, SMALL, epochs=3, seed=0, log=lambda _: None)
    watched = _fit_sequencer(steps, SMALL, epochs=3, seed=0, log=lambda _: None, watch=watch)
    assert seen == [(1, False, True), (2, False, True), (3, False, True)]  # after every epoch, in eval mode
    for (name, a), (_, b) in zip(quiet.state_dict().items(), watched.state_dict().items(), strict=True):
        torch.testing.assert_close(a, b, msg=name)


@pytest.mark.parametrize("context", ["none", "place"])
@pytest.mark.parametrize("count", [1, 3])
def test_the_numpy_runner_mirrors_the_torch_nets(count, context):
    torch.manual_seed(0)
    junction = ScoreNet(len(JUNCTION_FEATURES), (16, 16))
    sequencers = [Sequencer((16, 16), 8, context=context) for _ in range(count)]
    for net in (junction, *(s.order for s in sequencers)):
        with torch.no_grad():
            net.mean.normal_()
            net.scale.uniform_(0.5, 2.0)
    config = dataclasses.replace(SMALL, junction_hidden=(16, 16), sequencers=count, order_context=context).as_dict()
    weights = export_weights(junction, sequencers)
    expected = {k: v for k, v in expected_shapes(config).items() if not k.startswith(("excursion.", "stay."))}
    assert {k: v.shape for k, v in weights.items()} == expected
    nets = StrokeNets(config, weights)
    x = torch.randn(50, len(JUNCTION_FEATURES))
    with torch.no_grad():
        assert_float32_close(nets.join_probability(x.numpy()), torch.sigmoid(junction(x)).numpy(), terms=64, scale=1.0)
        chosen = torch.randn(3, 5, len(STROKE_FEATURES))
        states = torch.stack([s.states(chosen, torch.full((3,), 5)) for s in sequencers])  # (count, 3, 5, 8)
        state = nets.initial_state()
        for t in range(5):
            assert_float32_close(state.reshape(count, 8), states[:, 0, t].numpy(), terms=256, scale=1.0)
            candidates = torch.randn(7, len(STROKE_FEATURES))
            every = torch.ones(1, 7, dtype=torch.bool)
            scores = torch.stack([s.score(torch.cat([candidates, states[k, 0, t].expand(7, 8)], dim=1)[None], every)[0] for k, s in enumerate(sequencers)])
            # One sequencer: its scores; an ensemble: the mean of its sequencers' log softmaxes.
            expected = scores[0] if count == 1 else torch.log_softmax(scores, dim=1).mean(0)
            assert_float32_close(nets.order_scores(candidates.numpy(), state), expected.numpy(), terms=256, scale=10.0)
            state = nets.remember(chosen[0, t].numpy(), state)


def test_a_sequencer_with_attention_by_place_scores_a_padded_step_as_the_step_alone():
    """Training pads a batch's steps to its widest; the padding must not change what the real
    candidates see of each other (tracing scores each step unpadded)."""
    torch.manual_seed(2)
    sequencer = Sequencer((16, 16), 8, context="place")
    step = torch.randn(1, 5, len(STROKE_FEATURES) + 8)
    padded = torch.cat([step, 50 * torch.randn(1, 3, step.shape[2])], dim=1)
    mask = torch.tensor([[True] * 5 + [False] * 3])
    with torch.no_grad():
        alone = sequencer.score(step, torch.ones(1, 5, dtype=torch.bool))
        assert_float32_close(sequencer.score(padded, mask)[:, :5].numpy(), alone.numpy(), terms=64, scale=10.0)
        others = step.clone()
        others[0, 1:, :9] += 3.0  # the other candidates moved: a context sequencer's score of the first changes
        assert not torch.allclose(sequencer.score(others, torch.ones(1, 5, dtype=torch.bool))[0, 0], alone[0, 0])


def test_the_bundled_model_file_is_a_stroke_model_with_its_licence():
    from strokebot.model.checkpoint import DEFAULT_MODEL

    source = read_model(DEFAULT_MODEL)
    assert source.config["kind"] == "strokes"
    assert "CC BY-SA 3.0" in source.metrics.get("license", "") and "KanjiVG" in source.metrics["license"]


def test_the_evaluation_words_are_never_training_words():
    from strokebot.evaluate import EVALUATION_WORDS, path_samples
    from strokebot.model.learn import TRAINING_WORDS, load_samples

    assert not set(EVALUATION_WORDS) & set(TRAINING_WORDS)
    trained = {word for s in load_samples(["words:40"], log=lambda line: None) for word in s.label.split(":", 1)[1].split()}
    evaluated = {s.label.split(":", 1)[1] for s in path_samples("words", 40)}
    assert trained <= set(TRAINING_WORDS) and evaluated <= set(EVALUATION_WORDS) and not trained & evaluated


def test_letters_are_kanjivg_latin_letters_and_digits_of_its_training_split_drawn_again_and_again():
    from strokebot.model.learn import load_samples

    samples = load_samples(["letters:80"], log=lambda line: None)
    drawn = [s.label.split(":", 1)[1] for s in samples]
    trained = {c for c in datasets.kanjivg_characters() if c.isascii() and c.isalnum() and datasets.kanjivg_split(c) == "train"}
    assert len(samples) == 80 and set(drawn) == trained and len(trained) > 50  # every one, the first again
    assert {"t", "i", "5", "A"} <= trained and "g" not in trained  # g is one of the held-out characters
    first, again = samples[0], samples[len(trained)]
    assert drawn[0] == drawn[len(trained)] and first.image.shape != again.image.shape  # another scale


def test_letters_teach_the_sequencers_only(glyphs):
    """KanjiVG's letters lift at every corner (a V in two strokes), which a Latin hand does not: they
    add sequencer examples, and leave the junction, excursion and stay nets as they were."""
    from strokebot.model.learn import ORDER_ONLY, load_samples

    letters = load_samples(["letters:6"], log=lambda line: None)
    assert all(s.label.startswith(ORDER_ONLY) for s in letters)
    _, alone = train_strokes(glyphs, SMALL, junction_epochs=1, order_epochs=1, log=lambda _: None)
    _, taught = train_strokes(glyphs + letters, SMALL, junction_epochs=1, order_epochs=1, log=lambda _: None)
    assert alone.keys() == taught.keys()
    sequencers = [key for key in alone if key.startswith(("order.", "memory.", "context.", "seq"))]
    assert all(np.array_equal(alone[key], taught[key]) for key in alone if key not in sequencers)
    assert not all(np.array_equal(alone[key], taught[key]) for key in sequencers)  # only the sequencers learn from them


def test_a_model_file_from_before_the_newer_sequencer_features_reads_the_first_ones(tmp_path):
    """Files written before ``order_features`` (strokebot-default 2.4 and earlier) have one sequencer, of
    the first FIRST_FEATURES features; they load, and their sequencer sees exactly those columns."""
    torch.manual_seed(1)
    junction = ScoreNet(len(JUNCTION_FEATURES), (16,))
    sequencer = Sequencer((16, 16), 8, features=FIRST_FEATURES)
    config = BARE.as_dict()
    del config["order_features"], config["sequencers"]  # keys written since
    write_model(tmp_path / "old.npz", config, export_weights(junction, [sequencer]), {"model_version": "old"})
    nets = load_model(tmp_path / "old.npz").nets
    assert nets.features == FIRST_FEATURES < len(STROKE_FEATURES)
    candidates = torch.randn(7, len(STROKE_FEATURES))
    with torch.no_grad():
        expected = sequencer.order(torch.cat([candidates[:, :FIRST_FEATURES], torch.zeros(7, 8)], dim=1)).numpy()
        after = sequencer.memory(candidates[:1, :FIRST_FEATURES], torch.zeros(1, 8))[0].numpy()
    assert_float32_close(nets.order_scores(candidates.numpy(), nets.initial_state()), expected, terms=256, scale=10.0)
    assert_float32_close(nets.remember(candidates[0].numpy(), nets.initial_state()), after, terms=256, scale=1.0)


def test_a_model_file_asking_for_more_sequencer_features_than_exist_is_refused(tmp_path):
    from strokebot.errors import ModelError

    config = BARE.as_dict() | {"order_features": len(STROKE_FEATURES) + 3}
    junction, sequencer = ScoreNet(len(JUNCTION_FEATURES), (16,)), Sequencer((16, 16), 8)
    write_model(tmp_path / "new.npz", config, export_weights(junction, [sequencer]), {"model_version": "future"})
    with pytest.raises(ModelError, match="order_features"):
        read_model(tmp_path / "new.npz")


def test_a_model_file_with_an_unknown_order_context_or_without_its_attention_is_refused(tmp_path):
    from strokebot.errors import ModelError

    junction, sequencer = ScoreNet(len(JUNCTION_FEATURES), (16,)), Sequencer((16, 16), 8)
    weights = export_weights(junction, [sequencer])  # a sequencer without attention
    write_model(tmp_path / "future.npz", BARE.as_dict() | {"order_context": "glyph"}, weights, {"model_version": "future"})
    with pytest.raises(ModelError, match="order_context"):
        read_model(tmp_path / "future.npz")
    write_model(tmp_path / "place.npz", BARE.as_dict() | {"order_context": "place"}, weights, {"model_version": "place"})
    with pytest.raises(ModelError, match="missing: context.key.bias"):
        read_model(tmp_path / "place.npz")


def test_a_model_file_missing_an_ensembles_sequencer_or_with_none_is_refused(tmp_path):
    from strokebot.errors import ModelError

    junction, sequencer = ScoreNet(len(JUNCTION_FEATURES), (16,)), Sequencer((16, 16), 8)
    weights = export_weights(junction, [sequencer])  # one sequencer's weights
    write_model(tmp_path / "two.npz", BARE.as_dict() | {"sequencers": 2}, weights, {"model_version": "two"})
    with pytest.raises(ModelError, match="missing: seq1"):
        read_model(tmp_path / "two.npz")
    write_model(tmp_path / "none.npz", BARE.as_dict() | {"sequencers": 0}, weights, {"model_version": "none"})
    with pytest.raises(ModelError, match="sequencers"):
        read_model(tmp_path / "none.npz")


def test_latin_letters_are_the_letters_joined_as_a_latin_hand_draws_them():
    from strokebot.model.learn import ORDER_ONLY, load_samples

    letters = load_samples(["letters:60"], log=lambda line: None)
    latin = load_samples(["latin:60"], log=lambda line: None)
    assert [s.label.split(":", 1)[1] for s in latin] == [s.label.split(":", 1)[1] for s in letters]
    assert not any(s.label.startswith(ORDER_ONLY) for s in latin)  # they teach every net
    for a, b in zip(letters, latin, strict=True):
        np.testing.assert_array_equal(a.image, b.image)  # the same ink,
        char = a.label.split(":", 1)[1]
        assert len(b.strokes) == len(datasets.latin_hand(datasets.kanjivg_strokes(char))) <= len(a.strokes)  # fewer lifts
    by_char = {s.label.split(":", 1)[1]: len(s.strokes) for s in latin}
    assert by_char["V"] == 1 and by_char["A"] == 3
