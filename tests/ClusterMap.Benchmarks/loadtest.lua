-- wrk script for `make loadtest` and the smoke test: rotates over items, proximity, tiles and static maps.
-- Arguments (after --): TARGET collection id, then ORIGIN collection id (defaults: universities, parks).
local paths = {}
local counter = 0

function init(args)
  local target = args[1] or "universities"
  local origin = args[2] or "parks"
  -- Tiles over central Shanghai at zooms 10 to 13, so the renderer and the tile cache both take load.
  local tiles = { "10/856/418", "11/1713/837", "11/1714/837", "12/3427/1675", "12/3428/1674", "13/6856/3349", "13/6857/3350" }
  paths = {
    "/collections/" .. target .. "/items?limit=50",
    "/collections/" .. target .. "/items?bbox=121.3,31.1,121.6,31.3&limit=100",
    "/proximity/within?target=" .. target .. "&radius_m=5000&lon=121.47&lat=31.23",
    "/proximity/nearest?target=" .. target .. "&k=5&lon=121.47&lat=31.23",
    "/proximity/matrix?from=" .. origin .. "&to=" .. target .. "&k=3",
    "/maps/static.png?center=121.47,31.23&zoom=11&width=400&height=300",
  }
  for _, t in ipairs(tiles) do
    table.insert(paths, "/tiles/basemap/" .. t .. ".png")
    table.insert(paths, "/tiles/" .. target .. "/" .. t .. ".mvt")
  end
  -- Each wrk thread starts at a different place in the rotation.
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
