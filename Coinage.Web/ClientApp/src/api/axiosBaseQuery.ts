import type { BaseQueryFn } from '@reduxjs/toolkit/query';
import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { type ApiError, toApiError } from './apiError';
import { apiClient } from './client';

export interface AxiosQueryArgs {
  url: string;
  method?: AxiosRequestConfig['method'];
  data?: AxiosRequestConfig['data'];
  params?: AxiosRequestConfig['params'];
  headers?: AxiosRequestConfig['headers'];
  /** See {@link AxiosRequestConfig.skipAuth}. */
  skipAuth?: boolean;
}

/** RTK Query over our Axios instance, so interceptors (bearer token, refresh on 401) apply to every endpoint. */
export function axiosBaseQuery(client: AxiosInstance = apiClient): BaseQueryFn<AxiosQueryArgs, unknown, ApiError> {
  return async ({ url, method = 'GET', data, params, headers, skipAuth }, { signal }) => {
    try {
      const response = await client.request({ url, method, data, params, headers, signal, ...(skipAuth === true && { skipAuth }) });
      return { data: response.data as unknown };
    } catch (error) {
      return { error: toApiError(error) };
    }
  };
}
