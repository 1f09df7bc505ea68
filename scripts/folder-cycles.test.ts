import { expect, it } from "vitest";
import { folderCycles, folderGraph, mutualImports } from "./folder-cycles";

it("no two folders of lib/ import each other, directly or in a ring (test files aside)", () => {
  const edges = folderGraph();
  expect(mutualImports(edges)).toEqual([]);
  expect(folderCycles(edges)).toEqual([]);
});

it("finds a ring when there is one", () => {
  const edges = new Map([
    ["lib/a", new Map([["lib/b", ["a → b"]]])],
    ["lib/b", new Map([["lib/c", ["b → c"]]])],
    ["lib/c", new Map([["lib/a", ["c → a"]], ["lib/d", ["c → d"]]])],
  ]);
  expect(folderCycles(edges)).toEqual([["lib/a", "lib/b", "lib/c"]]);
  expect(mutualImports(edges)).toEqual([]);
});
