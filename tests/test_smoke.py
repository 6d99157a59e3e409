def test_world_builds(world, api):
    response = api(world.staff_a).get("/api/v1/groups/")
    assert response.status_code == 200, response.content
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"Chigasaki Cat's Protect", "NPO法人赤ちゃんからのアートフレンドシップ協会"}
