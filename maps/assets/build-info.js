window.HeritageMapBuild = {"as_of":"2026-11-21"};
