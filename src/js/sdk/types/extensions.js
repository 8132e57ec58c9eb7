export const isExtensionType = (type) =>
  typeof type?.name === 'string' && typeof type?.metadata === 'string';
