[{id: 10n, at: new Date(0), day: new Date(86400000), doc: {n: 1, when: new Date(0)}}, {id: 2**53, score: -0, tags: []}]
