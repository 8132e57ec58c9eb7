(async function* () { yield {id: 1}; yield [{id: 2}, {id: 3}]; await null; yield {id: 4, name: "\u00e9"}; })()
