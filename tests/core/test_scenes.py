"""Scene files: the shipped lecture reads, a scene round-trips, bad files are one clear sentence."""

import json

import pytest

from core import scenes
from core.errors import UserError
from core.scenes import Scene

LECTURE_ORDER = ["Elephant → tiger shark", "Noise → any class", "Invisible: ε = 1",
                 "Black box: MNIST digits in seconds", "Black box: ImageNet",
                 "Noise vs. geometry (direct vs. CPPN)", "A curve in the plane", "Many dimensions",
                 "Random images are noise", "Compression: the code size", "Denoising", "LIAR!"]
INSIDE = ["Inside: a long body, a short head", "What a neuron wants", "We cannot draw a cat", "DeepDream"]


def test_the_lecture_ships_its_scenes_in_order_with_captions():
    lecture = scenes.lecture_scenes()
    names = [s.name for s in lecture]
    assert [n for n in names if n in LECTURE_ORDER] == LECTURE_ORDER
    assert [n for n in names if n in INSIDE] == INSIDE  # one per page of "Inside the network", in order
    assert names.index(INSIDE[0]) > names.index("Noise vs. geometry (direct vs. CPPN)")  # the tabs' order
    assert all(s.caption and s.tab for s in lecture)
    assert len({s.slug for s in lecture}) == len(lecture)


def test_find_by_name_slug_number_part_and_file(tmp_path):
    lecture = scenes.lecture_scenes()
    assert scenes.find_scene("Invisible: ε = 1").name == "Invisible: ε = 1"
    assert scenes.find_scene("invisible-e-1").name == "Invisible: ε = 1"
    assert scenes.find_scene("1").name == lecture[0].name
    assert scenes.find_scene("LIAR").name == "LIAR!"
    path = scenes.save_scene(Scene("Mine", "manifold", "a caption", {"manifold": {"page": 1}}), tmp_path / "mine")
    assert path.name == "mine.json"
    assert scenes.find_scene(str(path)).tabs == {"manifold": {"page": 1}}
    with pytest.raises(UserError, match="several scenes"):
        scenes.find_scene("black box")
    with pytest.raises(UserError, match="There is no scene “nope”"):
        scenes.find_scene("nope")


def test_a_scene_round_trips_and_unknown_keys_are_reported(tmp_path):
    scene = Scene("Elephant", "whitebox", "c", {"whitebox": {"page": 0, "params": {"attack": {"eps": 1.0}}}})
    path = scenes.save_scene(scene, tmp_path / "s.json")
    again, problems = scenes.load_scene(path)
    assert again == scene and problems == []
    data = json.loads(path.read_text(encoding="utf-8"))
    data["colour"] = "red"
    data["tabs"]["whitebox"]["zoom"] = 2
    _, problems = scenes.scene_from_dict(data)
    assert any("“colour”" in p for p in problems) and any("“zoom”" in p for p in problems)


@pytest.mark.parametrize(("change", "message"), [
    ({"version": 99}, "reads up to 1"),
    ({"name": ""}, "has no name"),
    ({"tab": 3}, "which tab"),
    ({"tabs": []}, "must be a JSON object"),
    ({"tabs": {"whitebox": {"page": -1}}}, "page number"),
    ({"tabs": {"whitebox": {"params": {"attack": {"eps": "big"}}}}}, "ε"),
    ({"format": "something-else"}, "not a Fooling Lab scene"),
])
def test_bad_scenes_are_one_clear_sentence(change, message):
    data = {**Scene("S", "whitebox").to_dict(), **change}
    with pytest.raises(UserError, match=message):
        scenes.scene_from_dict(data)


def test_unreadable_files_are_sentences(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        scenes.load_scene(bad)
    with pytest.raises(UserError, match="no scene file"):
        scenes.load_scene(tmp_path / "missing.json")
