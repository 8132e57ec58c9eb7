[{id: 1, name: "a", score: 1.5, active: true, at: "2024-01-02T03:04:05Z", day: "2024-01-02", doc: {a: [1, {b: null}]}, tags: ["x"]}, {id: "2", name: 3, active: "false", at: 1700000000}]
