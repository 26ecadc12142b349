import { createApi } from '@reduxjs/toolkit/query/react';
import { axiosBaseQuery } from './axiosBaseQuery';

/** The one RTK Query API of the app; each feature adds its endpoints with `coinageApi.injectEndpoints`. */
export const coinageApi = createApi({
  reducerPath: 'coinageApi',
  baseQuery: axiosBaseQuery(),
  tagTypes: ['Status', 'Profile', 'Sessions', 'Devices', 'Passkeys', 'ApiKeys', 'AdminUsers', 'Audit'],
  endpoints: () => ({}),
});
