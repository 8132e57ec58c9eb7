[{id: 1.5}, {active: 2}, {tags: {}}, "not a row", null]
